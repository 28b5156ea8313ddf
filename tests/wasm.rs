//! The binding layer, as JavaScript sees it: `Session` in a wasm32 build,
//! run by wasm-bindgen-test-runner in Node (scripts/test). Values cross as
//! JS objects and errors as JS `Error`s with the core's message.
#![cfg(target_arch = "wasm32")]

use leakscope::wasm::Session;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::wasm_bindgen_test;

fn json(v: JsValue) -> serde_json::Value {
    serde_wasm_bindgen::from_value(v).expect("plain data")
}

/// A plain JS object, as the page's code writes one.
fn object(v: serde_json::Value) -> JsValue {
    use serde::Serialize;
    v.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .unwrap()
}

fn message(e: wasm_bindgen::JsError) -> String {
    js_sys::Error::from(JsValue::from(e)).message().into()
}

#[wasm_bindgen_test]
fn a_profile_crosses_as_plain_objects() {
    let mut s = Session::new();
    let info = json(
        s.add(
            "go.heap.pb.gz",
            include_bytes!("data/go.heap.pb.gz"),
            None,
            None,
        )
        .unwrap(),
    );
    assert_eq!(info["errors"].as_array().unwrap().len(), 0);
    let info = &info["files"][0];
    assert_eq!(info["kind"], "profile");
    assert_eq!(info["name"], "go.heap.pb.gz");
    let top = json(s.top(JsValue::UNDEFINED).unwrap());
    assert_eq!(top["table"]["rows"][0]["name"], "bytes.Repeat");
    assert_eq!(top["table"]["rows"][0]["flat_text"], "2000kB");
    assert_eq!(top["sample_types"].as_array().unwrap().len(), 4);
}

#[wasm_bindgen_test]
fn view_state_comes_from_a_js_object() {
    let mut s = Session::new();
    s.add(
        "go.heap.pb.gz",
        include_bytes!("data/go.heap.pb.gz"),
        None,
        None,
    )
    .unwrap();
    let state = object(serde_json::json!({ "si": "alloc_objects", "g": "lines", "f": "Track" }));
    let top = json(s.top(state).unwrap());
    assert_eq!(top["table"]["sample_type"], "alloc_objects");
    let bad = object(serde_json::json!({ "g": "pixels" }));
    assert!(message(s.top(bad).unwrap_err()).contains("unknown granularity"));
}

#[wasm_bindgen_test]
fn metrics_charts_and_errors() {
    let mut s = Session::new();
    s.add(
        "leak.csv",
        include_bytes!("data/series/leak/grafana-joined-epoch.csv"),
        None,
        None,
    )
    .unwrap();
    let charts = json(s.charts(JsValue::UNDEFINED).unwrap());
    let memory = &charts["processes"][0]["charts"][0];
    assert_eq!(memory["kind"], "memory");
    assert!(memory["svg"].as_str().unwrap().starts_with("<svg"));
    assert_eq!(memory["markers"].as_array().unwrap().len(), 3);
    // Progress is reported through a JS function.
    let calls = js_sys::Array::new();
    let record = js_sys::Function::new_with_args("n", "this.push(n)").bind0(&calls);
    let big = vec![b'x'; 3 << 20];
    let err = s.add("noise.bin", &big, Some(record), None).unwrap_err();
    // The page's card names the file; the message does not repeat it.
    let text = message(err);
    assert!(text.starts_with("not a profile or a time series"), "{text}");
    assert!(calls.length() >= 1, "progress was reported");
}
