//! The page, embedded in the binary so the dashboard works offline with no
//! CDN and nothing to install.

pub const INDEX_HTML: &str = include_str!("../assets/index.html");
pub const APP_JS: &str = include_str!("../assets/app.js");
pub const APP_CSS: &str = include_str!("../assets/app.css");
