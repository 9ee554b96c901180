//! Shared types of documents and the pure rules: who a document is for, what an upload
//! must carry, and how a file is named and typed when it is sent back.
use crate::core::error::FieldError;
use serde::{Deserialize, Serialize};

/// Bytes per stored chunk (DESIGN §4: about 1 MiB): one row, one statement, one piece of
/// a streamed download.
pub const CHUNK_SIZE: usize = 1 << 20;

/// The longest title and file name kept.
const MAX_TITLE: usize = 200;
const MAX_FILE_NAME: usize = 200;

/// Who may see a document besides staff.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Visibility {
    /// Staff only.
    Internal,
    /// Every investor taking part in the project.
    Project,
    /// One investor client taking part in the project.
    Investor,
}

impl Visibility {
    pub const ALL: &'static [Visibility] = &[
        Visibility::Project,
        Visibility::Investor,
        Visibility::Internal,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Visibility::Internal => "internal",
            Visibility::Project => "project",
            Visibility::Investor => "investor",
        }
    }

    pub fn parse(value: &str) -> Option<Visibility> {
        Visibility::ALL
            .iter()
            .copied()
            .find(|v| v.as_str() == value)
    }

    pub fn i18n_key(self) -> String {
        format!("documents.visibility.{}", self.as_str())
    }
}

/// The text fields of an upload form, as posted (the file arrives beside them).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct UploadForm {
    pub title: String,
    pub visibility: String,
    /// The investor client, for visibility "one investor".
    pub client: String,
    pub form_key: String,
}

impl UploadForm {
    /// Takes one posted text field.
    pub fn set(&mut self, name: &str, value: String) {
        match name {
            "title" => self.title = value,
            "visibility" => self.visibility = value,
            "client" => self.client = value,
            "form_key" => self.form_key = value,
            _ => {}
        }
    }
}

/// What a stored file turned out to be.
#[derive(Clone, Debug, PartialEq)]
pub struct ReceivedFile {
    pub file_name: String,
    pub size: i64,
}

/// A checked upload.
#[derive(Clone, Debug, PartialEq)]
pub struct ValidUpload {
    pub title: String,
    pub visibility: Visibility,
    pub client_id: Option<i64>,
}

/// Checks an upload's fields against the file that came with it (`None`: no file was
/// chosen, or it was empty). A blank title becomes the file's name.
pub fn validate_upload(
    form: &UploadForm,
    file: Option<&ReceivedFile>,
) -> Result<ValidUpload, Vec<FieldError>> {
    let mut errors = Vec::new();
    let file = file.filter(|f| f.size > 0);
    if file.is_none() {
        errors.push(FieldError::new("file", "documents.file_required"));
    }
    let title = match form.title.trim() {
        "" => file.map(|f| f.file_name.clone()).unwrap_or_default(),
        t => t.to_string(),
    };
    if title.chars().count() > MAX_TITLE {
        errors.push(FieldError::new("title", "documents.title_too_long"));
    }
    let visibility = crate::core::form::code(
        &form.visibility,
        Visibility::parse,
        "visibility",
        &mut errors,
    );
    let client_id = match visibility {
        Some(Visibility::Investor) => {
            let id = form.client.trim().parse::<i64>().ok().filter(|id| *id > 0);
            if id.is_none() {
                errors.push(FieldError::new("client", "documents.investor_required"));
            }
            id
        }
        _ => None,
    };
    match visibility {
        Some(visibility) if errors.is_empty() => Ok(ValidUpload {
            title,
            visibility,
            client_id,
        }),
        _ => Err(errors),
    }
}

/// The name a file is kept under: the last part of what the browser sent (some send a
/// whole path), without control characters, at most 200 characters; never empty.
pub fn clean_file_name(raw: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = last
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_FILE_NAME)
        .collect();
    match cleaned.trim() {
        "" | "." | ".." => "document".to_string(),
        name => name.to_string(),
    }
}

/// The content type a document is sent back with, and whether a browser may show it in
/// place. Only types a browser shows safely are kept; everything else is sent as bytes to
/// save, so an uploaded HTML or SVG file never runs as a page of this site.
pub fn served_type(stored: &str) -> (&'static str, bool) {
    let essence = stored
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    match essence.as_str() {
        "application/pdf" => ("application/pdf", true),
        "image/png" => ("image/png", true),
        "image/jpeg" => ("image/jpeg", true),
        "image/gif" => ("image/gif", true),
        "text/plain" => ("text/plain; charset=utf-8", true),
        _ => ("application/octet-stream", false),
    }
}

/// How a download is offered: shown in the browser, or saved as a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Disposition {
    Inline,
    Attachment,
}

impl Disposition {
    /// What the recorded view is called.
    pub fn recorded_as(self) -> &'static str {
        match self {
            Disposition::Inline => "view",
            Disposition::Attachment => "download",
        }
    }
}

/// The `Content-Disposition` header of a file: an ASCII fallback name for old clients
/// and the real (often Chinese) name in RFC 5987 form.
pub fn content_disposition(disposition: Disposition, file_name: &str) -> String {
    let kind = match disposition {
        Disposition::Inline => "inline",
        Disposition::Attachment => "attachment",
    };
    let fallback: String = file_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ' ') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = file_name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_') {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!("{kind}; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

/// A size as people read it: 900 B, 12 KB, 3.4 MB.
pub fn human_size(bytes: i64) -> String {
    const KB: f64 = 1024.0;
    let b = bytes.max(0) as f64;
    if b < KB {
        format!("{} B", bytes.max(0))
    } else if b < KB * KB {
        format!("{:.0} KB", b / KB)
    } else if b < KB * KB * KB {
        format!("{:.1} MB", b / (KB * KB))
    } else {
        format!("{:.1} GB", b / (KB * KB * KB))
    }
}

/// One document on the staff side of a project page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DocumentRow {
    pub id: i64,
    pub title: String,
    pub file_name: String,
    pub size: String,
    pub visibility: Option<Visibility>,
    /// The investor a one-investor document is for.
    pub investor: Option<String>,
    pub uploaded_by: String,
    pub uploaded_at: String,
    pub views: i64,
    pub downloads: i64,
}

/// A page of a project's documents for staff, with what the upload form needs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DocumentPage {
    pub items: Vec<DocumentRow>,
    /// The id to page on from, when there are more.
    pub next: Option<i64>,
    pub can_upload: bool,
    /// The investors of the project a document can be shared with alone.
    pub investors: Vec<(i64, String)>,
    pub form_key: String,
    pub limit_mb: u64,
}

/// An upload shown again with its messages (the file has to be chosen again).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SubmittedUpload {
    pub form: UploadForm,
    pub errors: Vec<FieldError>,
    pub error_key: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str, size: i64) -> ReceivedFile {
        ReceivedFile {
            file_name: name.into(),
            size,
        }
    }

    fn form(title: &str, visibility: &str, client: &str) -> UploadForm {
        UploadForm {
            title: title.into(),
            visibility: visibility.into(),
            client: client.into(),
            form_key: String::new(),
        }
    }

    fn fields(result: Result<ValidUpload, Vec<FieldError>>) -> Vec<String> {
        result
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|e| format!("{}:{}", e.field, e.key))
            .collect()
    }

    #[test]
    fn an_upload_needs_a_file_a_visibility_and_for_one_investor_the_investor() {
        let ok = validate_upload(&form("", "project", ""), Some(&file("季报.pdf", 10)));
        assert_eq!(
            ok,
            Ok(ValidUpload {
                title: "季报.pdf".into(),
                visibility: Visibility::Project,
                client_id: None
            })
        );
        assert_eq!(
            fields(validate_upload(&form("x", "project", ""), None)),
            vec!["file:documents.file_required"]
        );
        assert_eq!(
            fields(validate_upload(
                &form("x", "project", ""),
                Some(&file("a", 0))
            )),
            vec!["file:documents.file_required"]
        );
        assert_eq!(
            fields(validate_upload(
                &form("x", "everyone", ""),
                Some(&file("a", 1))
            )),
            vec!["visibility:form.choose_one"]
        );
        assert_eq!(
            fields(validate_upload(
                &form("x", "investor", "abc"),
                Some(&file("a", 1))
            )),
            vec!["client:documents.investor_required"]
        );
        let one = validate_upload(&form("信", "investor", "42"), Some(&file("a", 1)));
        assert_eq!(one.map(|v| v.client_id), Ok(Some(42)));
        // An investor chosen with another visibility is not kept.
        let all = validate_upload(&form("信", "project", "42"), Some(&file("a", 1)));
        assert_eq!(all.map(|v| v.client_id), Ok(None));
        let long = "长".repeat(201);
        assert_eq!(
            fields(validate_upload(
                &form(&long, "internal", ""),
                Some(&file("a", 1))
            )),
            vec!["title:documents.title_too_long"]
        );
    }

    #[test]
    fn file_names_lose_paths_and_control_characters() {
        assert_eq!(clean_file_name("C:\\Users\\li\\季报.pdf"), "季报.pdf");
        assert_eq!(clean_file_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_file_name("a\u{0}b\nc.txt"), "abc.txt");
        assert_eq!(clean_file_name(""), "document");
        assert_eq!(clean_file_name(".."), "document");
        assert_eq!(clean_file_name(&"x".repeat(300)).len(), 200);
    }

    #[test]
    fn only_safe_types_are_shown_in_place() {
        assert_eq!(served_type("application/pdf"), ("application/pdf", true));
        assert_eq!(served_type("IMAGE/PNG"), ("image/png", true));
        assert_eq!(
            served_type("text/plain; charset=gbk"),
            ("text/plain; charset=utf-8", true)
        );
        assert_eq!(
            served_type("text/html"),
            ("application/octet-stream", false)
        );
        assert_eq!(
            served_type("image/svg+xml"),
            ("application/octet-stream", false)
        );
        assert_eq!(served_type(""), ("application/octet-stream", false));
    }

    #[test]
    fn chinese_file_names_survive_the_header() {
        assert_eq!(
            content_disposition(Disposition::Attachment, "季报 Q3.pdf"),
            "attachment; filename=\"__ Q3.pdf\"; filename*=UTF-8''%E5%AD%A3%E6%8A%A5%20Q3.pdf"
        );
        assert_eq!(
            content_disposition(Disposition::Inline, "a\"b.pdf"),
            "inline; filename=\"a_b.pdf\"; filename*=UTF-8''a%22b.pdf"
        );
    }

    #[test]
    fn sizes_read_as_people_say_them() {
        assert_eq!(human_size(900), "900 B");
        assert_eq!(human_size(12 * 1024), "12 KB");
        assert_eq!(human_size(3 * 1024 * 1024 + 400 * 1024), "3.4 MB");
        assert_eq!(human_size(-1), "0 B");
    }
}
