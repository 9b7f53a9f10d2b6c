//! The served OpenAPI document against the service itself: every operation documents its
//! success body and its errors (one Problem schema), auth is declared where the service asks
//! for a key (`document`), and real responses match the documented status, media type and
//! schema (`responses`).

mod document;
mod responses;

use crate::helpers::*;
use serde_json::{json, Value};

/// Every route of API.md (method, path under the document's server).
const API_MD_ROUTES: &[(&str, &str)] = &[
    ("get", "/healthz"),
    ("get", "/readyz"),
    ("post", "/keys"),
    ("get", "/keys"),
    ("delete", "/keys/{id}"),
    ("get", "/questionnaires"),
    ("get", "/questionnaires/{sector}"),
    ("get", "/questionnaires/{sector}/template.xlsx"),
    ("post", "/uploads"),
    ("get", "/uploads"),
    ("get", "/uploads/{id}"),
    ("get", "/uploads/{id}/file"),
    ("get", "/uploads/{id}/rejected.xlsx"),
    ("get", "/suppliers"),
    ("get", "/suppliers/{id}"),
    ("put", "/suppliers/by-ref/{external_ref}"),
    ("post", "/suppliers/{id}/responses"),
    ("get", "/suppliers/{id}/risk"),
    ("get", "/suppliers/{id}/assessments"),
    ("post", "/assessments"),
    ("get", "/assessments/{id}"),
    ("get", "/networks"),
    ("get", "/reports/workbook.xlsx"),
    ("get", "/audit-log"),
    ("get", "/organisation"),
    ("patch", "/organisation"),
];

const METHODS: &[&str] = &["get", "put", "post", "delete", "patch", "head", "options", "trace"];
const PROBLEM_REF: &str = "#/components/schemas/Problem";
/// Response headers a client acts on: when sent, the documented response must list them.
const DOCUMENTED_HEADERS: &[&str] = &["Retry-After", "Idempotent-Replayed", "Content-Disposition", "WWW-Authenticate"];
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The served document, with the lookups the checks need.
struct Doc(Value);

impl Doc {
    fn fetch(app: &TestApp) -> Doc {
        let r = app.req("GET", "/api/v1/openapi.json", None, None);
        assert_eq!(r.status, 200);
        Doc(r.json())
    }

    /// (method, path, operation) for every operation.
    fn operations(&self) -> Vec<(&str, &str, &Value)> {
        let mut out = Vec::new();
        for (path, item) in self.0["paths"].as_object().expect("paths") {
            for m in METHODS {
                if let Some(op) = item.get(*m) {
                    out.push((*m, path.as_str(), op));
                }
            }
        }
        out
    }

    fn op(&self, method: &str, path: &str) -> &Value {
        let op = &self.0["paths"][path][method];
        assert!(op.is_object(), "{} {path} is not in the OpenAPI document", method.to_uppercase());
        op
    }

    /// Follows a local `$ref` (`#/components/...`).
    fn resolve<'a>(&'a self, v: &'a Value) -> &'a Value {
        match v["$ref"].as_str() {
            Some(r) => {
                let target = self.0.pointer(r.strip_prefix('#').expect("local ref")).unwrap_or(&Value::Null);
                assert!(!target.is_null(), "dangling $ref {r}");
                self.resolve(target)
            }
            None => v,
        }
    }

    /// The documented response of an operation for a status, `$ref`s followed.
    fn response(&self, method: &str, path: &str, status: u16) -> Option<&Value> {
        self.op(method, path)["responses"].get(status.to_string()).map(|r| self.resolve(r))
    }

    /// The server URL prefix of a path (`/api/v1`, or `` for the probes at the root).
    fn server_of(&self, path: &str) -> String {
        let url = self.0["paths"][path]["servers"][0]["url"].as_str().or(self.0["servers"][0]["url"].as_str());
        url.unwrap_or("").trim_end_matches('/').to_string()
    }

    /// Validates `instance` against a schema of the document (refs resolve into the document).
    fn errors(&self, schema: &Value, instance: &Value) -> Vec<String> {
        let mut root = schema.clone();
        root["$schema"] = json!("https://json-schema.org/draft/2020-12/schema");
        root["components"] = self.0["components"].clone();
        let v = jsonschema::validator_for(&root).unwrap_or_else(|e| panic!("schema does not compile: {e}: {schema}"));
        v.iter_errors(instance).map(|e| format!("at {}: {e}", e.instance_path())).collect()
    }

    /// Checks one real response against the document: the status is documented, the media
    /// type is one the response lists, and a JSON body matches its schema. Returns the body.
    fn check(&self, method: &str, path: &str, r: &Resp) -> Value {
        let what = format!("{} {path} → {}", method.to_uppercase(), r.status);
        let doc = self.response(method, path, r.status).unwrap_or_else(|| panic!("{what} is not documented"));
        let content = doc["content"].as_object();
        if r.status == 204 {
            assert!(content.is_none_or(|c| c.is_empty()), "{what}: 204 documents a body");
            assert!(r.body.is_empty(), "{what}: 204 has a body");
            return Value::Null;
        }
        for h in DOCUMENTED_HEADERS {
            if r.header(h).is_some() && !doc["headers"][*h].is_object() {
                panic!("{what}: sends `{h}`, which its documented response does not list: {doc}");
            }
        }
        let ct = r.header("content-type").unwrap_or("").split(';').next().unwrap_or("").trim().to_string();
        let media = content
            .and_then(|c| c.get(&ct))
            .unwrap_or_else(|| panic!("{what}: content type `{ct}` not documented: {doc}"));
        let schema = media.get("schema").unwrap_or_else(|| panic!("{what}: `{ct}` has no schema"));
        if ct == "application/json" || ct.ends_with("+json") {
            let body = r.json();
            let errs = self.errors(schema, &body);
            assert!(errs.is_empty(), "{what} does not match its schema:\n{}\nbody: {body}", errs.join("\n"));
            body
        } else {
            assert!(!r.body.is_empty(), "{what}: empty `{ct}` body");
            Value::Null
        }
    }
}

/// A path with its parameters filled in by `x`, under its server.
fn concrete(doc: &Doc, path: &str) -> String {
    let mut out = String::new();
    let mut in_param = false;
    for c in path.chars() {
        match c {
            '{' => in_param = true,
            '}' => {
                in_param = false;
                out.push('x');
            }
            _ if !in_param => out.push(c),
            _ => {}
        }
    }
    format!("{}{out}", doc.server_of(path))
}

fn is_problem(doc: &Doc, response: &Value) -> bool {
    let content = response["content"].as_object();
    content.is_some_and(|c| c.len() == 1 && c["application/problem+json"]["schema"]["$ref"] == PROBLEM_REF)
        && doc.resolve(&json!({"$ref": PROBLEM_REF})).is_object()
}
