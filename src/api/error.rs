//! API errors as JSON: `{"error": {"status": 400, "parameter": "lat", "message": "…"}}`.

use axum::http::StatusCode;
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
    #[error("{0}")]
    Forbidden(String),
    /// Inputs failed validation (e.g. on reload); carries every problem.
    #[error("{message}")]
    Invalid { message: String, problems: Vec<String> },
    /// The request body is larger than the server accepts.
    #[error("{0}")]
    TooLarge(String),
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
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
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
        (status, Json(json!({ "error": error }))).into_response()
    }
}

pub async fn not_found(uri: axum::http::Uri) -> ApiError {
    ApiError::NotFound(format!("no route for {}", uri.path()))
}
