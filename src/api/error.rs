//! API errors as JSON: `{"error": {"status": 400, "parameter": "lat", "message": "…"}}`.

use axum::http::header::{RETRY_AFTER, WWW_AUTHENTICATE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// A query parameter is missing or wrong; names it.
    #[error("{message}")]
    BadParameter { parameter: &'static str, message: String },
    #[error("{0}")]
    NotFound(String),
    /// A parameter names a unit that does not exist (404); names the parameter.
    #[error("{message}")]
    UnknownValue { parameter: &'static str, message: String },
    /// Inputs failed validation (e.g. on reload); carries every problem.
    #[error("{message}")]
    Invalid { message: String, problems: Vec<String> },
    /// The request body is larger than the server accepts.
    #[error("{0}")]
    TooLarge(String),
    /// An admin route without the right bearer token (401 with `WWW-Authenticate`).
    #[error("{0}")]
    Unauthorized(String),
    /// The server sheds this request rather than queue it (503 with `Retry-After`).
    #[error("{0}")]
    Busy(String),
    /// The request target is longer than the server accepts (414).
    #[error("{0}")]
    UriTooLong(String),
    /// A failure of the server itself (e.g. a tile render that panicked).
    #[error("{0}")]
    Internal(String),
}

impl ApiError {
    pub fn bad(parameter: &'static str, message: impl Into<String>) -> Self {
        ApiError::BadParameter { parameter, message: message.into() }
    }

    fn status(&self) -> StatusCode {
        match self {
            ApiError::BadParameter { .. } => StatusCode::BAD_REQUEST,
            ApiError::NotFound(_) | ApiError::UnknownValue { .. } => StatusCode::NOT_FOUND,
            ApiError::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Busy(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::UriTooLong(_) => StatusCode::URI_TOO_LONG,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let mut error = json!({ "status": status.as_u16(), "message": self.to_string() });
        match &self {
            ApiError::BadParameter { parameter, .. } | ApiError::UnknownValue { parameter, .. } => {
                error["parameter"] = json!(parameter)
            }
            ApiError::Invalid { problems, .. } => error["problems"] = json!(problems),
            _ => {}
        }
        let mut response = (status, Json(json!({ "error": error }))).into_response();
        let extra = match self {
            ApiError::Unauthorized(_) => Some((WWW_AUTHENTICATE, r#"Bearer realm="bando admin""#)),
            // Shed load comes back soon: a second is enough for a render slot to free.
            ApiError::Busy(_) => Some((RETRY_AFTER, "1")),
            _ => None,
        };
        if let Some((name, value)) = extra {
            response.headers_mut().insert(name, HeaderValue::from_static(value));
        }
        response
    }
}

pub async fn not_found(uri: axum::http::Uri) -> ApiError {
    ApiError::NotFound(format!("no route for {}", uri.path()))
}
