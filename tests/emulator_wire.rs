//! The emulator's wire behaviour, checked with a plain HTTP client: what Google's own
//! clients (gcloud, google-api-core, the Rust generated clients) rely on.

use lrotop::emulator::{Emulator, EmulatorConfig, Scenario};
use serde_json::Value;

async fn start() -> (Emulator, String) {
    let mut cfg = EmulatorConfig::new(Scenario::Static);
    cfg.ops_per_location = 8;
    let emu = Emulator::start(cfg).await.unwrap();
    let base = format!("{}/v1/projects/demo-project-1/locations/global", emu.url());
    (emu, base)
}

async fn get(url: &str) -> (u16, Value) {
    let r = reqwest::get(url).await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap())
}

fn assert_envelope(v: &Value, http: u16, status: &str) {
    assert_eq!(v["error"]["code"], http, "{v}");
    assert_eq!(v["error"]["status"], status, "{v}");
    assert!(
        v["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty())
    );
    let details = v["error"]["details"].as_array().unwrap();
    assert!(
        details
            .iter()
            .any(|d| d["@type"] == "type.googleapis.com/google.rpc.ErrorInfo"),
        "{v}"
    );
    let msg = v["error"]["message"].as_str().unwrap();
    assert!(
        !msg.contains("Enable it by visiting"),
        "gcloud would try to enable the API"
    );
}

#[tokio::test]
async fn proto3_json_shapes() {
    let (_emu, base) = start().await;
    let (s, v) = get(&format!("{base}/operations")).await;
    assert_eq!(s, 200);
    assert!(
        v.get("unreachable").is_none(),
        "unreachable only when non-empty"
    );
    assert!(v.get("nextPageToken").is_none(), "one page of 8");
    let ops = v["operations"].as_array().unwrap();
    let running = &ops[0];
    assert!(running.get("done").is_none(), "false is omitted");
    assert!(running.get("error").is_none() && running.get("response").is_none());
    let created = running["metadata"]["createTime"].as_str().unwrap();
    assert_eq!(
        created.len(),
        "2025-01-23T15:27:50.076075570Z".len(),
        "{created}"
    );
    assert!(created.ends_with('Z'));
    assert!(running["metadata"].get("requestedCancellation").is_none());
    assert!(running["metadata"].get("endTime").is_none());
    let succeeded = ops
        .iter()
        .find(|o| o["done"] == true && o.get("response").is_some())
        .unwrap();
    let response = &succeeded["response"];
    let t = response["@type"].as_str().unwrap();
    if t == "type.googleapis.com/google.protobuf.Empty" {
        assert_eq!(
            response.as_object().unwrap().len(),
            1,
            "Empty in Any has no value key"
        );
    } else {
        assert!(t.starts_with("type.googleapis.com/google.cloud.cloudaicompanion.v1."));
    }
    let failed = &ops[5];
    assert_eq!(failed["done"], true);
    assert!(failed["error"]["code"].as_i64().unwrap() > 1);
}

#[tokio::test]
async fn system_parameters_are_ignored_and_unknown_ones_rejected() {
    let (_emu, base) = start().await;
    let (s, _) = get(&format!("{base}/operations?alt=json&prettyPrint=FALSE&%24.xgafv=2&fields=operations.name&%24alt=json%3Benum-encoding%3Dint")).await;
    assert_eq!(s, 200);
    // What the Rust generated clients send: every list parameter, even empty.
    let (s, _) = get(&format!(
        "{base}/operations?filter=&pageSize=0&pageToken=&returnPartialSuccess=false"
    ))
    .await;
    assert_eq!(s, 200);
    let (s, v) = get(&format!("{base}/operations?colour=red")).await;
    assert_eq!(s, 400);
    assert_envelope(&v, 400, "INVALID_ARGUMENT");
    let (s, _) = get(&format!("{base}/operations?filter=done%3DTrue")).await;
    assert_eq!(s, 200);
    let (s, v) = get(&format!("{base}/operations?returnPartialSuccess=TRUE")).await;
    assert_eq!(s, 501);
    assert_envelope(&v, 501, "UNIMPLEMENTED");
}

#[tokio::test]
async fn page_sizes_and_tokens() {
    let (_emu, base) = start().await;
    let (_, v) = get(&format!("{base}/operations?pageSize=3")).await;
    assert_eq!(v["operations"].as_array().unwrap().len(), 3);
    let token = v["nextPageToken"].as_str().unwrap().to_string();
    let (_, v2) = get(&format!("{base}/operations?pageSize=3&pageToken={token}")).await;
    assert_ne!(v2["operations"][0]["name"], v["operations"][0]["name"]);
    let (s, v) = get(&format!(
        "{base}/operations?pageSize=3&pageToken={token}&filter=done%3Dtrue"
    ))
    .await;
    assert_eq!(s, 400, "a token belongs to its request");
    assert_envelope(&v, 400, "INVALID_ARGUMENT");
    let (s, _) = get(&format!("{base}/operations?pageToken=forged")).await;
    assert_eq!(s, 400);
    let (s, _) = get(&format!("{base}/operations?pageSize=-1")).await;
    assert_eq!(s, 400);
    let (s, v) = get(&format!("{base}/operations?pageSize=999999")).await;
    assert_eq!(s, 200);
    assert_eq!(v["operations"].as_array().unwrap().len(), 8);
}

#[tokio::test]
async fn cancel_bodies_and_errors() {
    let (emu, base) = start().await;
    let ops = emu.snapshot("demo-project-1", "global");
    let c = reqwest::Client::new();
    let cancel = |i: usize| format!("{}/v1/{}:cancel", emu.url(), ops[i].name);
    for (i, body) in [(0, ""), (1, "{}"), (1, " { } ")] {
        let r = c.post(cancel(i)).body(body).send().await.unwrap();
        assert_eq!(r.status(), 200, "body {body:?}");
        assert_eq!(r.text().await.unwrap(), "{}");
    }
    let r = c
        .post(cancel(1))
        .body(r#"{"force": true}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let r = c.post(cancel(2)).send().await.unwrap();
    assert_eq!(r.status(), 501);
    assert!(r.headers().get("retry-after").is_none());
    assert_envelope(&r.json().await.unwrap(), 501, "UNIMPLEMENTED");
    let r = c.post(cancel(3)).send().await.unwrap();
    let v: Value = r.json().await.unwrap();
    assert_envelope(&v, 403, "PERMISSION_DENIED");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("cloudaicompanion.operations.cancel")
    );
    let r = c.post(cancel(4)).send().await.unwrap();
    assert_envelope(&r.json().await.unwrap(), 400, "FAILED_PRECONDITION");

    let (s, v) = get(&format!("{base}/operations/a%20b")).await;
    assert_eq!(s, 400, "a malformed name");
    assert_envelope(&v, 400, "INVALID_ARGUMENT");
    let (s, v) = get(&format!("{base}/operations/unknown")).await;
    assert_envelope(&v, s, "NOT_FOUND");
    let (s, v) = get(&format!(
        "{}/v1/projects/demo-project-1/locations/mars",
        emu.url()
    ))
    .await;
    assert_envelope(&v, s, "NOT_FOUND");
    let (s, v) = get(&format!(
        "{}/v1/projects/other/locations/global/operations",
        emu.url()
    ))
    .await;
    assert_envelope(&v, s, "PERMISSION_DENIED");
    let (s, v) = get(&format!("{}/v2/nothing/here", emu.url())).await;
    assert_envelope(&v, s, "NOT_FOUND");
}

#[tokio::test]
async fn injected_faults_carry_retry_info_and_retry_after_only_when_due() {
    let mut cfg = EmulatorConfig::new(Scenario::Static);
    cfg.faults.fail_locations = vec![
        ("global".into(), 429),
        ("us-central1".into(), 503),
        ("us-east4".into(), 500),
    ];
    cfg.faults.retry_delay = std::time::Duration::from_secs(2);
    let emu = Emulator::start(cfg).await.unwrap();
    let url = |l: &str| {
        format!(
            "{}/v1/projects/demo-project-1/locations/{l}/operations",
            emu.url()
        )
    };
    for (l, status, name, retry_after) in [
        ("global", 429, "RESOURCE_EXHAUSTED", true),
        ("us-central1", 503, "UNAVAILABLE", true),
        ("us-east4", 500, "UNKNOWN", false),
    ] {
        let r = reqwest::get(url(l)).await.unwrap();
        assert_eq!(r.status().as_u16(), status);
        assert_eq!(r.headers().get("retry-after").is_some(), retry_after, "{l}");
        let v: Value = r.json().await.unwrap();
        assert_envelope(&v, status, name);
        let has_retry_info = v["error"]["details"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["retryDelay"] == "2s");
        assert_eq!(has_retry_info, retry_after);
    }
    assert_eq!(emu.stats().injected, 3);
}

#[tokio::test]
async fn the_demo_moves_in_real_time() {
    let mut cfg = EmulatorConfig::new(Scenario::Demo);
    cfg.projects = 1;
    cfg.locations = 1;
    let emu = Emulator::start(cfg).await.unwrap();
    let ops = emu.snapshot("demo-project-1", "global");
    assert_eq!(ops.len(), 10);
    let now = jiff::Timestamp::now();
    for o in &ops {
        assert!(o.create_time().unwrap() <= now);
        if let Some(end) = o.end_time() {
            assert!(end <= now, "nothing ended in the future");
        }
    }
    // A cancellable running operation ends CANCELLED a few seconds after the request.
    let c = reqwest::Client::new();
    let mut accepted = None;
    for o in ops.iter().filter(|o| !o.done) {
        let r = c
            .post(format!("{}/v1/{}:cancel", emu.url(), o.name))
            .send()
            .await
            .unwrap();
        if r.status() == 200 {
            accepted = Some(o.name.clone());
            break;
        }
    }
    let name = accepted.expect("some running operation accepts a cancel");
    let (_, v) = get(&format!("{}/v1/{name}", emu.url())).await;
    assert_eq!(v["metadata"]["requestedCancellation"], true);
}
