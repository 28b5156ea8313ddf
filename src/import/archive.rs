//! Archives of inputs: `.zip`, `.tar`, and `.tar.gz` (gzip is inflated
//! before this module sees the bytes, as for any input).
//!
//! An archive is not a format of its own: each member is read as an input
//! of its own, under the archive's limits (the total inflated size, the
//! zip bomb ratio, a member count), and a member that fails is reported
//! beside the others instead of failing them all. Nothing is written
//! anywhere, so a member's path (`../x`, `/etc/y`) is only ever a name.

use std::cell::Cell;
use std::io::{self, Read};

use crate::error::{Error, Result};
use crate::import::{limit_hit, ImportOptions, RATIO_FLOOR};

/// Which kind of archive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Zip,
    Tar,
}

/// An archive's kind from its first bytes: zip's local file header or
/// empty-archive record, or a POSIX/GNU tar header (`ustar` at 257).
pub fn kind(head: &[u8]) -> Option<Kind> {
    if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
        return Some(Kind::Zip);
    }
    if head.get(257..262) == Some(b"ustar") && tar_checksum_matches(head) {
        return Some(Kind::Tar);
    }
    None
}

/// A tar header's checksum (octal, bytes 148..156: the sum of the header's
/// bytes with that field read as spaces): `ustar` at 257 alone could be a
/// profile's own text, a checksum that adds up is not.
fn tar_checksum_matches(head: &[u8]) -> bool {
    let Some(header) = head.get(..512) else {
        return false;
    };
    let field = String::from_utf8_lossy(&header[148..156]);
    let Ok(stored) = u32::from_str_radix(field.trim_matches(|c: char| c == ' ' || c == '\0'), 8)
    else {
        return false;
    };
    let sum: u32 = header
        .iter()
        .enumerate()
        .map(|(i, &b)| {
            if (148..156).contains(&i) {
                32
            } else {
                u32::from(b)
            }
        })
        .sum();
    sum == stored
}

/// One file of an archive, read as an input of its own.
#[derive(Debug)]
pub struct Member<T> {
    /// Its path inside the archive, as the archive spells it.
    pub name: String,
    /// Its size in bytes, uncompressed.
    pub size: u64,
    pub input: Result<T>,
}

/// Reads the members of an archive from `reader` (the input after its
/// first bytes were sniffed), handing each member's bytes to `read` and
/// keeping what it returns. Directories, empty files and macOS metadata
/// (`__MACOSX/`, `._name`) are skipped.
pub fn members<T>(
    kind: Kind,
    reader: impl Read,
    options: &ImportOptions,
    read: impl FnMut(&[u8]) -> Result<T>,
) -> Result<Vec<Member<T>>> {
    let members = match kind {
        Kind::Zip => zip_members(reader, options, read)?,
        Kind::Tar => tar_members(reader, options, read)?,
    };
    if members.is_empty() {
        return Err(Error::unknown_format(
            "the archive holds no files (only folders, empty files or macOS metadata)",
        ));
    }
    Ok(members)
}

fn skipped(name: &str) -> bool {
    let base = name.rsplit('/').next().unwrap_or(name);
    name.starts_with("__MACOSX/") || base.starts_with("._") || name.ends_with('/')
}

fn zip_members<T>(
    mut reader: impl Read,
    options: &ImportOptions,
    mut read: impl FnMut(&[u8]) -> Result<T>,
) -> Result<Vec<Member<T>>> {
    // A zip's directory is at its end: it is read whole (the page and the
    // CLI hold at most max_inflated_bytes of it, like any inflated input).
    let mut all = Vec::new();
    (&mut reader)
        .take(options.max_inflated_bytes.saturating_add(1))
        .read_to_end(&mut all)
        .map_err(|e| Error::malformed(format!("reading the zip archive failed: {e}")))?;
    if all.len() as u64 > options.max_inflated_bytes {
        return Err(limit_hit(
            "the zip archive is larger than the limit for decompressed data",
            crate::units::label(options.max_inflated_bytes as i64, "bytes"),
            "--max-inflated-mb",
        ));
    }
    let mut archive = zip::ZipArchive::new(io::Cursor::new(&all[..])).map_err(|e| {
        Error::malformed(crate::error::one_line(&format!(
            "not a valid zip archive: {}",
            zip_reason(&e)
        )))
    })?;
    check_count(archive.len(), options)?;
    let budget = Budget::new(options, all.len() as u64);
    let mut out = Vec::new();
    for i in 0..archive.len() {
        // The name first: a member whose data cannot be read is still named.
        let name = archive
            .name_for_index(i)
            .and_then(|n| n.ok())
            .map_or_else(|| format!("(member {})", i + 1), |n| n.into_owned());
        let mut file = match archive.by_index(i) {
            Ok(f) => f,
            Err(e) => {
                out.push(Member {
                    name,
                    size: 0,
                    input: Err(Error::malformed(crate::error::one_line(&format!(
                        "cannot be read from the zip archive: {}",
                        zip_reason(&e)
                    )))),
                });
                continue;
            }
        };
        if file.is_dir() || file.size() == 0 || skipped(&name) {
            continue;
        }
        let bytes = budget.read_member(&mut file)?;
        let size = bytes.as_ref().map_or(0, |b| b.len() as u64);
        out.push(Member {
            input: bytes.and_then(|b| read(&b)),
            name,
            size,
        });
    }
    Ok(out)
}

/// zip's error text without its own prefixes ("invalid Zip archive: ").
fn zip_reason(e: &zip::result::ZipError) -> String {
    let text = e.to_string();
    ["invalid Zip archive: ", "unsupported Zip archive: "]
        .iter()
        .find_map(|p| text.strip_prefix(p))
        .unwrap_or(&text)
        .to_string()
}

fn tar_members<T>(
    reader: impl Read,
    options: &ImportOptions,
    mut read: impl FnMut(&[u8]) -> Result<T>,
) -> Result<Vec<Member<T>>> {
    let mut archive = tar::Archive::new(reader);
    // A tar is not compressed (a .tar.gz was inflated, under gzip's own
    // limits, before it got here), so only the size budget applies.
    let budget = Budget::new(options, u64::MAX);
    let mut out = Vec::new();
    let entries = archive
        .entries()
        .map_err(|e| Error::malformed(format!("not a valid tar archive: {e}")))?;
    for (index, entry) in entries.enumerate() {
        check_count(index + 1, options)?;
        let mut entry = match entry {
            Ok(entry) => entry,
            Err(e) => {
                // The headers are a chain: after a broken one nothing more
                // can be found.
                out.push(Member {
                    name: format!("(member {})", index + 1),
                    size: 0,
                    input: Err(Error::malformed(crate::error::one_line(&format!(
                        "the tar archive is broken here: {}",
                        budget.io_reason(&e)
                    )))),
                });
                break;
            }
        };
        let name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let declared = entry.header().size().unwrap_or(0);
        if !entry.header().entry_type().is_file() || declared == 0 || skipped(&name) {
            continue;
        }
        let bytes = budget.read_member(&mut entry)?;
        // tar's reader stops quietly where the data ends; a member cut
        // short is said to be, and nothing after it can follow.
        let short = matches!(&bytes, Ok(b) if (b.len() as u64) < declared);
        let size = bytes.as_ref().map_or(0, |b| b.len() as u64);
        let input = match bytes {
            Ok(b) if short => Err(Error::malformed(format!(
                "the tar header says it holds {declared} bytes but the archive ends after {} \
                 (truncated?)",
                b.len()
            ))),
            Ok(b) => read(&b),
            Err(e) => Err(e),
        };
        out.push(Member { name, size, input });
        if short {
            break;
        }
    }
    Ok(out)
}

fn check_count(count: usize, options: &ImportOptions) -> Result<()> {
    if count as u64 > options.max_members {
        return Err(limit_hit(
            "the archive has more members than the limit",
            options.max_members,
            "--max-members",
        ));
    }
    Ok(())
}

/// The limits every member of one archive shares: the total inflated size
/// and, for a compressed archive, the ratio of that total to the
/// archive's own size (a zip bomb).
struct Budget {
    inflated: Cell<u64>,
    max: u64,
    max_ratio: u64,
    archive_len: u64,
    hit: Cell<Option<Hit>>,
    options: ImportOptions,
}

#[derive(Debug, Clone, Copy)]
enum Hit {
    Size,
    Ratio,
}

impl Budget {
    fn new(options: &ImportOptions, archive_len: u64) -> Self {
        Budget {
            inflated: Cell::new(0),
            max: options.max_inflated_bytes,
            max_ratio: options.max_ratio.max(1),
            archive_len,
            hit: Cell::new(None),
            options: options.clone(),
        }
    }

    /// A member's bytes. `Err` of the outer result: a limit of the whole
    /// archive was hit (no member after it can be read either); of the
    /// inner: this member could not be read.
    fn read_member(&self, member: &mut impl Read) -> Result<Result<Vec<u8>>> {
        let mut bytes = Vec::new();
        let mut buf = [0u8; 64 * 1024];
        loop {
            let n = match member.read(&mut buf) {
                Ok(0) => return Ok(Ok(bytes)),
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    if let Some(limit) = crate::import::inflate_limit_of(&e, &self.options) {
                        return Err(limit);
                    }
                    return Ok(Err(Error::malformed(crate::error::one_line(&format!(
                        "reading it from the archive failed: {}",
                        self.io_reason(&e)
                    )))));
                }
            };
            let total = self.inflated.get() + n as u64;
            self.inflated.set(total);
            if total > self.max {
                self.hit.set(Some(Hit::Size));
            } else if total > RATIO_FLOOR && total / self.max_ratio > self.archive_len {
                self.hit.set(Some(Hit::Ratio));
            }
            if let Some(hit) = self.hit.get() {
                return Err(self.limit_error(hit));
            }
            bytes.extend_from_slice(&buf[..n]);
        }
    }

    fn limit_error(&self, hit: Hit) -> Error {
        match hit {
            Hit::Size => limit_hit(
                "the archive's files inflate to more than the limit for decompressed data \
                 (a zip bomb?)",
                crate::units::label(self.max as i64, "bytes"),
                "--max-inflated-mb",
            ),
            Hit::Ratio => limit_hit(
                &format!(
                    "the archive's files inflate more than {}× its size past {} (a zip bomb?)",
                    self.max_ratio,
                    crate::units::label(RATIO_FLOOR as i64, "bytes")
                ),
                format!("{}×", self.max_ratio),
                "--max-ratio",
            ),
        }
    }

    fn io_reason(&self, e: &io::Error) -> String {
        match e.kind() {
            io::ErrorKind::UnexpectedEof => "the data ends early (truncated?)".to_string(),
            _ => e.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_told_by_magic() {
        assert_eq!(kind(b"PK\x03\x04rest"), Some(Kind::Zip));
        assert_eq!(kind(b"PK\x05\x06\0\0"), Some(Kind::Zip));
        let mut tar = vec![0u8; 512];
        tar[257..262].copy_from_slice(b"ustar");
        // `ustar` without a checksum that adds up is not a tar header.
        assert_eq!(kind(&tar), None);
        let sum: u32 = tar.iter().map(|&b| u32::from(b)).sum::<u32>() + 8 * 32;
        tar[148..155].copy_from_slice(format!("{sum:06o}\0").as_bytes());
        assert_eq!(kind(&tar), Some(Kind::Tar));
        assert_eq!(kind(b"PK\x01\x02"), None);
        assert_eq!(kind(&[0u8; 512]), None);
    }

    #[test]
    fn metadata_and_folders_are_skipped() {
        assert!(skipped("__MACOSX/heap.pprof"));
        assert!(skipped("dir/._heap.pprof"));
        assert!(skipped("dir/"));
        assert!(!skipped("dir/heap.pprof"));
    }
}
