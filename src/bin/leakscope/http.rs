//! HTTP for the commands that talk to live services and Prometheus
//! (`capture`, `scan`): every request bounded in time (the agent's global
//! timeout) and size (`limit`), its failures said in one line and sorted
//! into worth trying again or not.

use std::time::Duration;

/// An agent and the limits every request through it keeps.
pub struct Fetch<'a> {
    pub agent: &'a ureq::Agent,
    pub retries: u32,
    pub limit: u64,
    pub timeout: Duration,
}

/// What one request gave: the bytes, or why not and whether to try again.
pub enum Outcome {
    Bytes(Vec<u8>),
    Failed { error: String, retry: bool },
}

/// An agent whose every request ends within `timeout`, body included, and
/// whose error statuses are answers to read (Prometheus explains them).
pub fn agent(timeout: Duration) -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(timeout))
        .http_status_as_error(false)
        .max_redirects(3)
        .user_agent(concat!("leakscope/", env!("CARGO_PKG_VERSION")))
        .build()
        .into()
}

impl Fetch<'_> {
    pub fn get(&self, url: &str) -> Outcome {
        self.call(self.agent.get(url))
    }

    /// Sends a request and reads the answer within the limits, whatever
    /// its status: the status and the body, or why not.
    pub fn call_any_status(
        &self,
        request: ureq::RequestBuilder<ureq::typestate::WithoutBody>,
    ) -> Result<(u16, Vec<u8>), String> {
        let mut response = match request.call() {
            Ok(r) => r,
            Err(ureq::Error::Timeout(_)) => {
                return Err(format!(
                    "no answer within --timeout {}",
                    humantime::format_duration(self.timeout)
                ))
            }
            Err(e) => return Err(format!("could not fetch: {e}")),
        };
        let status = response.status().as_u16();
        match response
            .body_mut()
            .with_config()
            .limit(self.limit)
            .read_to_vec()
        {
            Ok(bytes) => Ok((status, bytes)),
            Err(ureq::Error::BodyExceedsLimit(_)) => Err(format!(
                "stopped after {} MB: an answer may be at most --max-mb {}",
                self.limit >> 20,
                self.limit >> 20
            )),
            Err(e) => Err(format!("could not read the answer: {e}")),
        }
    }

    /// Sends a request and reads the answer within the limits.
    pub fn call(&self, request: ureq::RequestBuilder<ureq::typestate::WithoutBody>) -> Outcome {
        let failed = |error: String, retry: bool| Outcome::Failed { error, retry };
        let mut response = match request.call() {
            Ok(r) => r,
            Err(ureq::Error::Timeout(_)) => {
                return failed(
                    format!(
                        "no answer within --timeout {}",
                        humantime::format_duration(self.timeout)
                    ),
                    true,
                )
            }
            Err(e) => return failed(format!("could not fetch: {e}"), true),
        };
        let status = response.status();
        if !status.is_success() {
            let reason = status.canonical_reason().unwrap_or("");
            return failed(
                format!("the server answered {} {reason}", status.as_u16()),
                status.is_server_error(),
            );
        }
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_ascii_lowercase();
        if content_type.starts_with("text/html") {
            return failed(
                "the server answered an HTML page, not a profile (is this a Go service's net/http/pprof?)".into(),
                false,
            );
        }
        // A body over the limit is cut there and refused, whatever its
        // Content-Length promised.
        match response
            .body_mut()
            .with_config()
            .limit(self.limit)
            .read_to_vec()
        {
            Ok(bytes) => Outcome::Bytes(bytes),
            Err(ureq::Error::BodyExceedsLimit(_)) => failed(
                format!(
                    "stopped after {} MB: a profile may be at most --max-mb {}",
                    self.limit >> 20,
                    self.limit >> 20
                ),
                false,
            ),
            Err(ureq::Error::Timeout(_)) => failed(
                format!(
                    "the body did not arrive within --timeout {}",
                    humantime::format_duration(self.timeout)
                ),
                true,
            ),
            Err(e) => failed(format!("could not read the body: {e}"), true),
        }
    }
}
