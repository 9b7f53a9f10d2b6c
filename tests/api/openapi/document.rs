//! The document on its own: success schemas, problem responses, auth, shared statuses.

use super::*;

#[test]
fn every_operation_documents_its_success_body_errors_and_auth() {
    let app = TestApp::spawn();
    let doc = Doc::fetch(&app);

    for (method, path) in API_MD_ROUTES {
        doc.op(method, path);
    }

    // The one Problem schema has the fields of API.md "Errors" and src/error.rs.
    let problem_ref = json!({"$ref": PROBLEM_REF});
    let problem = doc.resolve(&problem_ref);
    for f in ["type", "title", "status", "detail", "code", "request_id", "errors"] {
        assert!(problem["properties"][f].is_object(), "Problem lacks `{f}`: {problem}");
    }
    let item = doc.resolve(&problem["properties"]["errors"]["items"]);
    for f in ["row", "column", "field", "value", "code", "message"] {
        assert!(item["properties"][f].is_object(), "Problem.errors[] lacks `{f}`: {item}");
    }

    let mut failures = Vec::new();
    let mut ids = std::collections::BTreeSet::new();
    for (method, path, op) in doc.operations() {
        let name = format!("{} {path}", method.to_uppercase());
        match op["operationId"].as_str() {
            Some(id) if ids.insert(id.to_string()) => {}
            other => failures.push(format!("{name}: operationId {other:?} missing or not unique")),
        }
        let responses = op["responses"].as_object().unwrap_or_else(|| panic!("{name}: no responses"));
        let status = |s: &str| responses.get(s).map(|r| doc.resolve(r));

        // A success status, and a schema for every success body.
        let successes: Vec<&String> = responses.keys().filter(|s| s.starts_with('2')).collect();
        if successes.is_empty() {
            failures.push(format!("{name}: no success response"));
        }
        for s in successes.iter().filter(|s| s.as_str() != "204") {
            let content = doc.resolve(&responses[s.as_str()])["content"].as_object().cloned().unwrap_or_default();
            if content.is_empty() {
                failures.push(format!("{name}: {s} documents no body"));
            }
            for (ct, media) in &content {
                if !media["schema"].is_object() {
                    failures.push(format!("{name}: {s} {ct} has no schema"));
                }
            }
        }

        // Every error response is problem+json with the shared schema.
        for (s, r) in responses.iter().filter(|(s, _)| s.starts_with('4') || s.starts_with('5')) {
            if !is_problem(&doc, doc.resolve(r)) {
                failures.push(format!("{name}: {s} is not application/problem+json with the Problem schema"));
            }
        }

        // Auth: ask the service without a key; a 401 must be documented, with the security
        // requirement, and every operation that declares it must really ask for the key.
        let secured = op["security"].as_array().is_some_and(|s| s.iter().any(|r| r.get("bearer").is_some()));
        let probe = app.send(&method.to_uppercase(), &concrete(&doc, path), &[], b"");
        if probe.status == 401 {
            if !secured {
                failures.push(format!("{name}: answers 401 without a key but declares no bearer security"));
            }
            match status("401") {
                Some(r) if is_problem(&doc, r) => {}
                _ => failures.push(format!("{name}: no Problem response for 401")),
            }
            match status("429") {
                Some(r) if r["headers"]["Retry-After"].is_object() => {}
                _ => failures.push(format!("{name}: no 429 with Retry-After")),
            }
        } else if secured {
            failures.push(format!("{name}: declares bearer security but answers {} without a key", probe.status));
        }

        // What the shared code can answer is listed where it applies.
        let has = |s: &str| responses.contains_key(s);
        if path != "/healthz" && !(has("500") && has("503")) {
            failures.push(format!("{name}: 500/503 missing"));
        }
        if let Some(r) = status("503") {
            if !r["headers"]["Retry-After"].is_object() {
                failures.push(format!("{name}: 503 without Retry-After"));
            }
        }
        // A path parameter names something that may not exist (an upsert creates it).
        if path.contains('{') && method != "put" && !has("404") {
            failures.push(format!("{name}: has a path parameter but no 404"));
        }
        let params = op["parameters"].as_array().cloned().unwrap_or_default();
        if params.iter().any(|p| p["in"] == "query") && !has("422") {
            failures.push(format!("{name}: takes query parameters but documents no 422"));
        }
        if op["requestBody"].is_object() {
            for s in ["400", "413", "415", "422"] {
                if !has(s) {
                    failures.push(format!("{name}: takes a body but documents no {s}"));
                }
            }
        }
        let idempotent = params.iter().any(|p| p["in"] == "header" && p["name"] == "Idempotency-Key");
        if idempotent && !(has("400") && has("409") && has("422")) {
            failures.push(format!("{name}: honours Idempotency-Key but lacks 400, 409 or 422"));
        }
        for s in &successes {
            if doc.resolve(&responses[s.as_str()])["headers"]["Idempotent-Replayed"].is_object() && !idempotent {
                failures.push(format!("{name}: {s} may be a replay but takes no Idempotency-Key"));
            }
        }
    }
    assert!(failures.is_empty(), "OpenAPI document gaps:\n{}", failures.join("\n"));

    // The writes that honour Idempotency-Key declare it, and say their answers may be replays.
    for (method, path) in
        [("put", "/suppliers/by-ref/{external_ref}"), ("post", "/suppliers/{id}/responses"), ("post", "/assessments")]
    {
        let params = doc.op(method, path)["parameters"].as_array().cloned().unwrap_or_default();
        assert!(params.iter().any(|p| p["name"] == "Idempotency-Key" && p["in"] == "header"), "{method} {path}");
        for (s, r) in doc.op(method, path)["responses"].as_object().unwrap().iter().filter(|(s, _)| s.starts_with('2'))
        {
            assert!(doc.resolve(r)["headers"]["Idempotent-Replayed"].is_object(), "{method} {path} {s}");
        }
    }
}

/// Every query parameter taking text documents its bound: a maximum length, a pattern
/// anchored at both ends, or a list of values (the server refuses longer values with 422).
#[test]
fn every_text_query_parameter_documents_its_maximum() {
    let app = TestApp::spawn();
    let doc = Doc::fetch(&app);
    let mut unbounded = Vec::new();
    for (method, path, op) in doc.operations() {
        for p in op["parameters"].as_array().into_iter().flatten() {
            let p = doc.resolve(p);
            if p["in"] != "query" {
                continue;
            }
            let schema = doc.resolve(&p["schema"]);
            let texty =
                schema["type"] == "string" || schema["type"].as_array().is_some_and(|t| t.contains(&json!("string")));
            let bounded = schema["maxLength"].is_u64()
                || schema["enum"].is_array()
                || schema["pattern"]
                    .as_str()
                    .is_some_and(|r| r.starts_with('^') && r.ends_with('$') && !r.contains('*') && !r.contains('+'));
            if texty && !bounded {
                unbounded.push(format!("{} {path} ?{}", method.to_uppercase(), p["name"].as_str().unwrap_or("?")));
            }
        }
    }
    assert!(unbounded.is_empty(), "query parameters without a documented maximum: {unbounded:?}");
}
