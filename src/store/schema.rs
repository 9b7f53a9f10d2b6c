//! diesel table definitions: one schema for both backends (types from the common subset).
//! Mirrors migrations/{sqlite,postgres}/*/up.sql; a test checks the two migrations agree.

diesel::table! {
    organisations (id) {
        id -> Text,
        name -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    org_settings (org_id) {
        org_id -> Text,
        markets_json -> Text,
        common_value_threshold -> Integer,
        paper_size -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    api_keys (id) {
        id -> Text,
        org_id -> Text,
        name -> Text,
        role -> Text,
        key_prefix -> Text,
        key_hash -> Text,
        created_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    uploads (id) {
        id -> Text,
        org_id -> Text,
        sha256 -> Text,
        size -> BigInt,
        filename -> Text,
        format -> Text,
        kind -> Text,
        sheet -> Nullable<Text>,
        uploaded_by -> Text,
        created_at -> Timestamp,
        rows_total -> Integer,
        rows_accepted -> Integer,
        rows_rejected -> Integer,
        report_json -> Text,
    }
}

diesel::table! {
    upload_files (upload_id) {
        upload_id -> Text,
        content -> Binary,
    }
}

diesel::table! {
    suppliers (id) {
        id -> Text,
        org_id -> Text,
        match_key -> Text,
        external_ref -> Nullable<Text>,
        legal_name -> Text,
        name_key -> Text,
        country -> Text,
        sector -> Text,
        commodity -> Nullable<Text>,
        registration_number -> Nullable<Text>,
        fields_json -> Text,
        extra_json -> Text,
        source_json -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    supplier_latest (supplier_id) {
        supplier_id -> Text,
        org_id -> Text,
        assessment_id -> Text,
        tier -> Text,
        overall -> Double,
    }
}

diesel::table! {
    upload_rows (upload_id, row_number) {
        upload_id -> Text,
        row_number -> Integer,
        status -> Text,
        raw_json -> Text,
        errors_json -> Text,
        supplier_id -> Nullable<Text>,
    }
}

diesel::table! {
    questionnaire_responses (id) {
        id -> Text,
        org_id -> Text,
        supplier_id -> Text,
        questionnaire_id -> Text,
        version -> Text,
        upload_id -> Nullable<Text>,
        answers_json -> Text,
        evidence_json -> Text,
        created_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    assessments (id) {
        id -> Text,
        org_id -> Text,
        supplier_id -> Text,
        methodology_version -> Text,
        tier -> Text,
        overall -> Double,
        forced_labour_likely -> Bool,
        completeness -> Double,
        inputs_hash -> Text,
        upload_id -> Nullable<Text>,
        cause -> Text,
        body_json -> Text,
        created_at -> Timestamp,
        body_zstd -> Nullable<Binary>,
    }
}

diesel::table! {
    watchlists (id) {
        id -> Text,
        org_id -> Text,
        name -> Text,
        edition -> Text,
        entries_json -> Text,
        created_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    screening_decisions (id) {
        id -> Text,
        org_id -> Text,
        supplier_id -> Text,
        list_name -> Text,
        matched_entity -> Text,
        decision -> Text,
        reason -> Text,
        decided_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    idempotency_keys (org_id, idem_key) {
        org_id -> Text,
        idem_key -> Text,
        request_hash -> Text,
        status -> Nullable<Integer>,
        response_json -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    audit_log (id) {
        id -> Text,
        org_id -> Nullable<Text>,
        key_id -> Nullable<Text>,
        actor -> Text,
        action -> Text,
        target -> Nullable<Text>,
        detail_json -> Text,
        request_id -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::allow_tables_to_appear_in_same_query!(
    organisations,
    org_settings,
    api_keys,
    uploads,
    upload_files,
    suppliers,
    supplier_latest,
    upload_rows,
    questionnaire_responses,
    assessments,
    watchlists,
    screening_decisions,
    idempotency_keys,
    audit_log,
);

diesel::joinable!(upload_rows -> uploads (upload_id));
diesel::joinable!(upload_files -> uploads (upload_id));
diesel::joinable!(supplier_latest -> suppliers (supplier_id));
