//! The OpenAPI 3 document, generated from the route table.
//!
//! Routes are registered only through [`ApiRouter`], which takes each route together
//! with its operation's documentation: a route cannot be added without its doc, and
//! the document is the table the router was built from. Steps:
//!   1. each `get`/`post` call adds the handler to the axum router and the operation
//!      object to the document's `paths` (under its documented path, e.g.
//!      `/tiles/{map}.json` for the router's `/tiles/{file}`);
//!   2. [`ApiRouter::merge`] takes a router built elsewhere with its `paths` entries
//!      (route modules expose `pub fn openapi_paths() -> serde_json::Value`);
//!   3. [`ApiRouter::finish`] adds `GET /api/v1/openapi.json` itself and assembles
//!      the document: `openapi`, `info`, `paths`, `components` (shared parameters,
//!      the error and metadata schemas).

use super::AppState;
use axum::handler::Handler;
use axum::routing::{on, MethodFilter};
use axum::{Json, Router};
use serde_json::{json, Map, Value};
use std::sync::Arc;

/// One registered operation: the HTTP method, the router's path and the documented path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteEntry {
    pub method: &'static str,
    pub router_path: String,
    pub doc_path: String,
}

/// An axum router that keeps the OpenAPI operation of every route it is given.
pub struct ApiRouter {
    router: Router<AppState>,
    paths: Map<String, Value>,
    routes: Vec<RouteEntry>,
}

impl Default for ApiRouter {
    fn default() -> Self {
        ApiRouter { router: Router::new(), paths: Map::new(), routes: Vec::new() }
    }
}

impl ApiRouter {
    pub fn new() -> Self {
        Self::default()
    }

    /// `GET path`, documented by `operation` (an OpenAPI Operation object).
    pub fn get<H: Handler<T, AppState>, T: 'static>(self, path: &str, handler: H, operation: Value) -> Self {
        self.add("get", MethodFilter::GET, path, path, handler, operation)
    }

    /// `POST path`, documented by `operation`.
    pub fn post<H: Handler<T, AppState>, T: 'static>(self, path: &str, handler: H, operation: Value) -> Self {
        self.add("post", MethodFilter::POST, path, path, handler, operation)
    }

    /// `DELETE path`, documented by `operation`.
    pub fn delete<H: Handler<T, AppState>, T: 'static>(self, path: &str, handler: H, operation: Value) -> Self {
        self.add("delete", MethodFilter::DELETE, path, path, handler, operation)
    }

    /// `PATCH path`, documented by `operation`.
    pub fn patch<H: Handler<T, AppState>, T: 'static>(self, path: &str, handler: H, operation: Value) -> Self {
        self.add("patch", MethodFilter::PATCH, path, path, handler, operation)
    }

    /// `GET` on a router path whose last segment carries more than one value (axum
    /// captures `{file}`; the document says `{map}.json`).
    pub fn get_as<H: Handler<T, AppState>, T: 'static>(self, router_path: &str, doc_path: &str, handler: H, operation: Value) -> Self {
        self.add("get", MethodFilter::GET, router_path, doc_path, handler, operation)
    }

    /// Documents another form of the route registered just before (same method and
    /// handler; axum captures the whole last segment, as in `{y}.mvt` and `{y}.png`).
    pub fn also_serves(mut self, doc_path: &str, operation: Value) -> Self {
        let previous = self.routes.last().cloned().expect("also_serves follows a route");
        self.document(previous.method, doc_path, operation);
        self.routes.push(RouteEntry { doc_path: doc_path.into(), ..previous });
        self
    }

    fn add<H: Handler<T, AppState>, T: 'static>(
        mut self,
        method: &'static str,
        filter: MethodFilter,
        router_path: &str,
        doc_path: &str,
        handler: H,
        operation: Value,
    ) -> Self {
        self.router = self.router.route(router_path, on(filter, handler));
        self.document(method, doc_path, operation);
        self.routes.push(RouteEntry { method, router_path: router_path.into(), doc_path: doc_path.into() });
        self
    }

    fn document(&mut self, method: &str, doc_path: &str, operation: Value) {
        let item = self.paths.entry(doc_path.to_string()).or_insert_with(|| json!({}));
        assert!(item.get(method).is_none(), "{method} {doc_path} is registered twice");
        item[method] = operation;
    }

    /// Adds routes built elsewhere with their `paths` entries (`{"/path": {"get": {...}}}`).
    /// The entries are recorded as routes, so the route table names every path.
    pub fn merge(mut self, router: Router<AppState>, paths: Value) -> Self {
        self.router = self.router.merge(router);
        if let Value::Object(paths) = paths {
            for (path, item) in paths {
                let Value::Object(ops) = item else { continue };
                for (method, operation) in ops {
                    let method = METHODS.iter().copied().find(|m| *m == method);
                    let Some(method) = method else { continue };
                    self.document(method, &path, operation);
                    self.routes.push(RouteEntry { method, router_path: path.clone(), doc_path: path.clone() });
                }
            }
        }
        self
    }

    /// Every registered operation, in registration order.
    pub fn routes(&self) -> &[RouteEntry] {
        &self.routes
    }

    /// Adds `GET /api/v1/openapi.json` and returns the router with the document.
    pub fn finish(mut self) -> (Router<AppState>, Arc<Value>) {
        let path = "/api/v1/openapi.json";
        self.document("get", path, openapi_operation());
        self.routes.push(RouteEntry { method: "get", router_path: path.into(), doc_path: path.into() });
        let doc = Arc::new(document(self.paths));
        let served = doc.clone();
        let router = self.router.route(path, axum::routing::get(move || async move { Json(served.as_ref().clone()) }));
        (router, doc)
    }
}

const METHODS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

fn document(paths: Map<String, Value>) -> Value {
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "bando",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Map tiles, point queries and open data of Vietnam's New Rural Development (nông thôn mới, NTM) programme.",
            "license": {"name": "MIT"}
        },
        "paths": paths,
        "components": components(),
    })
}

fn openapi_operation() -> Value {
    json!({
        "summary": "This OpenAPI 3 document",
        "tags": ["meta"],
        "responses": {"200": {"description": "The document", "content": {"application/json": {"schema": {"type": "object"}}}}}
    })
}

/// A reference to a shared parameter (`Edition`, `Year`).
pub fn param(name: &str) -> Value {
    json!({"$ref": format!("#/components/parameters/{name}")})
}

/// A path parameter of type string with an example.
pub fn path_param(name: &str, description: &str, example: &str) -> Value {
    json!({"name": name, "in": "path", "required": true, "description": description,
           "schema": {"type": "string"}, "example": example})
}

/// An optional query parameter with a schema and an example.
pub fn query_param(name: &str, description: &str, schema: Value, example: Value) -> Value {
    json!({"name": name, "in": "query", "required": false, "description": description, "schema": schema, "example": example})
}

/// A required query parameter.
pub fn required_query(name: &str, description: &str, schema: Value, example: Value) -> Value {
    json!({"name": name, "in": "query", "required": true, "description": description, "schema": schema, "example": example})
}

/// A JSON answer with a free-form object schema.
pub fn json_answer(description: &str) -> Value {
    json!({"description": description, "content": {"application/json": {"schema": {"type": "object"}}}})
}

/// The JSON error answer (`{"error": {...}}`).
pub fn error_answer(description: &str) -> Value {
    json!({"description": description, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}})
}

fn components() -> Value {
    json!({
        "securitySchemes": {
            "adminToken": {"type": "http", "scheme": "bearer",
                "description": "The token of `--admin-token-file` (`BANDO_ADMIN_TOKEN_FILE`), for the admin routes"},
            "sessionCookie": {"type": "apiKey", "in": "cookie", "name": "bando_session",
                "description": "The session of POST /manage/login (HttpOnly, SameSite=Strict; 12 h idle, 7 days at most). State-changing requests also send the session's CSRF token (form field `csrf` or header X-CSRF-Token)."},
            "apiToken": {"type": "http", "scheme": "bearer",
                "description": "An API token of POST /api/v1/manage/tokens, for scripts (`Authorization: Bearer bando_…`); no CSRF token needed"}
        },
        "parameters": {
            "Edition": {"name": "edition", "in": "query", "required": false,
                "description": "Boundary edition: 2024 (63 provinces, districts) or 2025 (34 provinces). Default 2024.",
                "schema": {"type": "integer", "enum": [2024, 2025], "default": 2024}, "example": 2024},
            "Year": {"name": "year", "in": "query", "required": false,
                "description": "Year of the NTM levels: one of the years the data covers (`years` in /api/v1/meta; 2021–2025 in the embedded data). Default: the last of them.",
                "schema": {"type": "integer"}, "example": 2023},
            "Date": {"name": "date", "in": "query", "required": false,
                "description": "A day (YYYY-MM-DD) instead of a year's end: the state in force on that day, from `recognized_on` of the results and `assessed_on` of the criteria rows (a record without a date counts from the end of its year). With `year`, it must fall in that year.",
                "schema": {"type": "string", "format": "date"}, "example": "2023-06-30"}
        },
        "schemas": {
            "Error": {"type": "object", "required": ["error"], "properties": {"error": {"type": "object",
                "required": ["status", "message"],
                "properties": {"status": {"type": "integer"}, "message": {"type": "string"},
                    "parameter": {"type": "string", "description": "The parameter (or `body`) to fix"},
                    "problems": {"type": "array", "items": {"type": "string"}}}}}},
            "Meta": {"type": "object", "properties": {"data_version": {"type": "string"}, "sample": {"type": "boolean"},
                "sources": {"type": "array", "items": {"type": "object"}},
                "years": {"type": "array", "items": {"type": "integer"}, "description": "The years the data covers, first to last"}, "notice": {"type": "string", "nullable": true}}}
        }
    })
}
