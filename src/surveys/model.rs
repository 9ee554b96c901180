//! Shared types and pure rules of surveys: the codes, the builder's forms and their
//! validation, what staff and respondents see, and the checking of a respondent's answers.
use crate::clients::model::{LifecycleStage, RiskAppetite, TicketBand};
use crate::code_enum;
use crate::core::error::FieldError;
use crate::core::form::{code as form_code, optional_code};
use serde::{Deserialize, Serialize};

code_enum!(
    /// What a question asks for. NPS is 0–10, CSAT 1–5, CES 1–7 (7 the most effort), a
    /// rating 1–5; choices and free text have no scale.
    QuestionKind, "survey.kind", {
    Nps => "nps", Csat => "csat", Ces => "ces", Rating => "rating",
    Single => "single", Multiple => "multiple", Text => "text",
});

code_enum!(SurveyStatus, "survey.status", { Draft => "draft", Open => "open", Closed => "closed" });

code_enum!(
    /// A follow-up survey is the short one sent when a complaint from a survey is resolved.
    SurveyPurpose, "survey.purpose", { Regular => "regular", FollowUp => "follow_up" });

code_enum!(
    /// Who a wave goes to: the contacts of investor or borrower clients (narrowed by
    /// segment), or of the investors in one project.
    AudienceGroup, "survey.audience", {
    Investors => "investors", Borrowers => "borrowers", Project => "project",
    Chosen => "chosen",
});

impl QuestionKind {
    /// The lowest and highest answer of a scale question.
    pub fn scale(self) -> Option<(i64, i64)> {
        match self {
            QuestionKind::Nps => Some((0, 10)),
            QuestionKind::Csat | QuestionKind::Rating => Some((1, 5)),
            QuestionKind::Ces => Some((1, 7)),
            _ => None,
        }
    }

    /// NPS, CSAT and CES: the scores results, complaints and recovery are built on.
    pub fn is_scored(self) -> bool {
        matches!(
            self,
            QuestionKind::Nps | QuestionKind::Csat | QuestionKind::Ces
        )
    }

    pub fn has_choices(self) -> bool {
        matches!(self, QuestionKind::Single | QuestionKind::Multiple)
    }
}

/// At most this many questions in one survey and choices in one question.
pub const MAX_QUESTIONS: usize = 40;
pub const MAX_CHOICES: usize = 20;
const MAX_PROMPT: usize = 500;
const MAX_TITLE: usize = 200;
const MAX_INTRO: usize = 2_000;
/// Longest free-text answer kept.
pub const MAX_TEXT_ANSWER: usize = 4_000;

/// The survey's own settings as posted by the builder.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SurveyForm {
    pub title_zh: String,
    pub title_en: String,
    pub intro_zh: String,
    pub intro_en: String,
    pub link_days: String,
    pub reminder_days: String,
    pub max_reminders: String,
    pub recur_months: String,
    pub version: String,
    pub form_key: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ValidSurvey {
    pub title_zh: String,
    pub title_en: String,
    pub intro_zh: String,
    pub intro_en: String,
    pub link_days: i64,
    pub reminder_days: i64,
    pub max_reminders: i64,
    pub recur_months: Option<i64>,
}

impl SurveyForm {
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> SurveyForm {
        let mut f = SurveyForm {
            link_days: "30".into(),
            reminder_days: "7".into(),
            max_reminders: "2".into(),
            ..SurveyForm::default()
        };
        for (name, value) in pairs {
            let slot = match name {
                "title_zh" => &mut f.title_zh,
                "title_en" => &mut f.title_en,
                "intro_zh" => &mut f.intro_zh,
                "intro_en" => &mut f.intro_en,
                "link_days" => &mut f.link_days,
                "reminder_days" => &mut f.reminder_days,
                "max_reminders" => &mut f.max_reminders,
                "recur_months" => &mut f.recur_months,
                "version" => &mut f.version,
                "form_key" => &mut f.form_key,
                _ => continue,
            };
            *slot = value.to_string();
        }
        f
    }

    pub fn validate(&self) -> Result<ValidSurvey, Vec<FieldError>> {
        let mut errors = Vec::new();
        let title_zh = required_text(&self.title_zh, "title_zh", MAX_TITLE, &mut errors);
        let title_en = required_text(&self.title_en, "title_en", MAX_TITLE, &mut errors);
        let intro_zh = optional_text(&self.intro_zh, "intro_zh", MAX_INTRO, &mut errors);
        let intro_en = optional_text(&self.intro_en, "intro_en", MAX_INTRO, &mut errors);
        let link_days = whole(&self.link_days, 1, 365, "link_days", &mut errors);
        let reminder_days = whole(&self.reminder_days, 0, 90, "reminder_days", &mut errors);
        let max_reminders = whole(&self.max_reminders, 0, 5, "max_reminders", &mut errors);
        let recur_months = if self.recur_months.trim().is_empty() {
            None
        } else {
            whole(&self.recur_months, 1, 24, "recur_months", &mut errors)
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(ValidSurvey {
            title_zh,
            title_en,
            intro_zh,
            intro_en,
            link_days: link_days.unwrap_or(30),
            reminder_days: reminder_days.unwrap_or(0),
            max_reminders: max_reminders.unwrap_or(0),
            recur_months,
        })
    }
}

/// One question as posted by the builder; choices are one per line.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct QuestionForm {
    pub kind: String,
    pub prompt_zh: String,
    pub prompt_en: String,
    pub choices_zh: String,
    pub choices_en: String,
    pub required: bool,
    pub form_key: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ValidQuestion {
    pub kind: QuestionKind,
    pub prompt_zh: String,
    pub prompt_en: String,
    pub choices_zh: Vec<String>,
    pub choices_en: Vec<String>,
    pub required: bool,
}

impl QuestionForm {
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> QuestionForm {
        let mut f = QuestionForm::default();
        for (name, value) in pairs {
            let slot = match name {
                "kind" => &mut f.kind,
                "prompt_zh" => &mut f.prompt_zh,
                "prompt_en" => &mut f.prompt_en,
                "choices_zh" => &mut f.choices_zh,
                "choices_en" => &mut f.choices_en,
                "form_key" => &mut f.form_key,
                "required" => {
                    f.required = !value.is_empty();
                    continue;
                }
                _ => continue,
            };
            *slot = value.to_string();
        }
        f
    }

    /// The question as it can be stored: prompts in both languages, and for a choice
    /// question 2–20 choices with as many in Chinese as in English.
    pub fn validate(&self) -> Result<ValidQuestion, Vec<FieldError>> {
        let mut errors = Vec::new();
        let kind = form_code(&self.kind, QuestionKind::parse, "kind", &mut errors);
        let prompt_zh = required_text(&self.prompt_zh, "prompt_zh", MAX_PROMPT, &mut errors);
        let prompt_en = required_text(&self.prompt_en, "prompt_en", MAX_PROMPT, &mut errors);
        let choices_zh = lines(&self.choices_zh);
        let choices_en = lines(&self.choices_en);
        if kind.is_some_and(QuestionKind::has_choices) {
            let fits = |c: &[String]| (2..=MAX_CHOICES).contains(&c.len());
            if !fits(&choices_zh) {
                errors.push(FieldError::new("choices_zh", "survey.choices_count"));
            }
            if !fits(&choices_en) {
                errors.push(FieldError::new("choices_en", "survey.choices_count"));
            } else if choices_en.len() != choices_zh.len() {
                errors.push(FieldError::new("choices_en", "survey.choices_match"));
            }
        }
        let Some(kind) = kind.filter(|_| errors.is_empty()) else {
            return Err(errors);
        };
        let (choices_zh, choices_en) = if kind.has_choices() {
            (choices_zh, choices_en)
        } else {
            (Vec::new(), Vec::new())
        };
        Ok(ValidQuestion {
            kind,
            prompt_zh,
            prompt_en,
            choices_zh,
            choices_en,
            required: self.required,
        })
    }
}

/// The non-empty, trimmed lines of a text box.
pub fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

fn required_text(value: &str, field: &str, max: usize, errors: &mut Vec<FieldError>) -> String {
    let text = value.trim();
    if text.is_empty() {
        errors.push(FieldError::new(field, "form.required"));
    } else if text.chars().count() > max {
        errors.push(FieldError::new(field, "form.too_long"));
    }
    text.to_string()
}

fn optional_text(value: &str, field: &str, max: usize, errors: &mut Vec<FieldError>) -> String {
    let text = value.trim();
    if text.chars().count() > max {
        errors.push(FieldError::new(field, "form.too_long"));
    }
    text.to_string()
}

fn whole(
    value: &str,
    low: i64,
    high: i64,
    field: &str,
    errors: &mut Vec<FieldError>,
) -> Option<i64> {
    match value.trim().parse::<i64>() {
        Ok(n) if (low..=high).contains(&n) => Some(n),
        _ => {
            errors.push(FieldError::new(field, "survey.number_range"));
            None
        }
    }
}

/// Who a wave goes to, kept with the wave so a recurring survey can send the next one to
/// the audience as it is then.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Audience {
    pub group: Option<AudienceGroup>,
    pub project: Option<i64>,
    pub risk_appetite: Option<RiskAppetite>,
    pub band: Option<TicketBand>,
    pub stage: Option<LifecycleStage>,
}

/// The audience form of the send section, as posted.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AudienceForm {
    pub group: String,
    pub project: String,
    pub risk_appetite: String,
    pub band: String,
    pub stage: String,
    pub form_key: String,
}

impl AudienceForm {
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> AudienceForm {
        let mut f = AudienceForm::default();
        for (name, value) in pairs {
            let slot = match name {
                "group" => &mut f.group,
                "project" => &mut f.project,
                "risk_appetite" => &mut f.risk_appetite,
                "band" => &mut f.band,
                "stage" => &mut f.stage,
                "form_key" => &mut f.form_key,
                _ => continue,
            };
            *slot = value.to_string();
        }
        f
    }

    /// A project audience names its project; segments narrow investors (risk appetite and
    /// ticket size belong to investor profiles) and any group (lifecycle stage).
    pub fn validate(&self) -> Result<Audience, Vec<FieldError>> {
        let mut errors = Vec::new();
        let group = form_code(&self.group, AudienceGroup::parse, "group", &mut errors);
        let project = match (group, self.project.trim()) {
            (Some(AudienceGroup::Project), "") => {
                errors.push(FieldError::new("project", "form.choose_one"));
                None
            }
            (Some(AudienceGroup::Project), text) => match text.parse::<i64>() {
                Ok(id) => Some(id),
                Err(_) => {
                    errors.push(FieldError::new("project", "form.choose_one"));
                    None
                }
            },
            _ => None,
        };
        let risk_appetite = optional_code(
            &self.risk_appetite,
            RiskAppetite::parse,
            "risk_appetite",
            &mut errors,
        );
        let band = optional_code(&self.band, TicketBand::parse, "band", &mut errors);
        let stage = optional_code(&self.stage, LifecycleStage::parse, "stage", &mut errors);
        if group == Some(AudienceGroup::Borrowers) && (risk_appetite.is_some() || band.is_some()) {
            errors.push(FieldError::new(
                "risk_appetite",
                "survey.segment_investors_only",
            ));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Audience {
            group,
            project,
            risk_appetite,
            band,
            stage,
        })
    }
}

/// A question as the builder lists it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QuestionView {
    pub id: i64,
    pub kind: Option<QuestionKind>,
    pub prompt_zh: String,
    pub prompt_en: String,
    pub choices_zh: Vec<String>,
    pub choices_en: Vec<String>,
    pub required: bool,
    /// Answers it has; a question with answers is changed by a new version.
    pub answers: i64,
}

/// One sending of the survey and how far it got.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct WaveView {
    pub id: i64,
    pub number: i64,
    pub started_at: String,
    pub invited: i64,
    pub sent: i64,
    pub failed: i64,
    pub pending: i64,
    pub answered: i64,
    pub skipped: i64,
}

/// The builder's page of one survey.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SurveyDetail {
    pub id: i64,
    pub form: SurveyForm,
    pub status: Option<SurveyStatus>,
    pub purpose: Option<SurveyPurpose>,
    pub questions: Vec<QuestionView>,
    pub waves: Vec<WaveView>,
    pub responses: i64,
    /// Open projects, for a project audience.
    pub projects: Vec<(i64, String)>,
    pub form_key: String,
    /// Whether the viewer builds and sends surveys (else the page is read-only).
    pub can_build: bool,
    /// Whether the anonymous open link is on.
    pub open_link: bool,
}

/// A client on a survey's hand-chosen list, or found by the search for adding one.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PickRow {
    pub client: i64,
    pub name: String,
    pub kind: Option<crate::clients::model::ClientKind>,
    pub stage: Option<LifecycleStage>,
    /// Contacts a wave would mail (an e-mail address, not unsubscribed).
    pub reachable: i64,
    pub picked: bool,
}

/// A page of a survey's hand-chosen clients, and the clients a search found to add.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SurveyPicks {
    pub rows: Vec<PickRow>,
    pub total: i64,
    /// The cursor of the next page.
    pub next: Option<String>,
    pub found: Vec<PickRow>,
    /// Whether a search was made (an empty `found` then means nothing matched).
    pub searched: bool,
    pub can_change: bool,
}

/// The address of an open link just made, shown on the survey page once (only its hash
/// is kept).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NewOpenLink(pub String);

/// A row of the survey list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SurveyRow {
    pub id: i64,
    pub title: String,
    pub status: Option<SurveyStatus>,
    pub purpose: Option<SurveyPurpose>,
    pub questions: i64,
    pub responses: i64,
    pub updated_at: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SurveyListPage {
    pub items: Vec<SurveyRow>,
    pub next: Option<i64>,
    pub new_form_key: String,
    pub can_build: bool,
}

/// A builder form shown again with its input and messages.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SubmittedSurvey {
    pub form: SurveyForm,
    pub errors: Vec<FieldError>,
    pub conflict: bool,
    pub error_key: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct SubmittedSurveyQuestion {
    /// The question edited, or `None` for the form adding one.
    pub question: Option<i64>,
    pub form: QuestionForm,
    pub errors: Vec<FieldError>,
    pub error_key: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct SubmittedAudience {
    pub form: AudienceForm,
    pub errors: Vec<FieldError>,
    pub error_key: Option<String>,
}

/// A question as the respondent sees it, in their language.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RespondentQuestion {
    pub id: i64,
    pub kind: QuestionKind,
    pub prompt: String,
    pub choices: Vec<String>,
    pub required: bool,
}

impl RespondentQuestion {
    /// The form field of this question's answer.
    pub fn field(&self) -> String {
        format!("q{}", self.id)
    }
}

/// One answer as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    pub question_id: i64,
    pub kind: QuestionKind,
    pub score: Option<i64>,
    /// Positions (from 0) of the chosen choices.
    pub choices: Vec<usize>,
    pub body: Option<String>,
}

/// The respondent's posted answers, checked against the questions: every required question
/// answered, scores on their scale, choices among the offered ones. All problems at once,
/// as field messages on `q{id}`.
pub fn check_answers(
    questions: &[RespondentQuestion],
    posted: &[(String, String)],
) -> Result<Vec<Answer>, Vec<FieldError>> {
    let mut answers = Vec::new();
    let mut errors = Vec::new();
    for q in questions {
        let field = q.field();
        let values: Vec<&str> = posted
            .iter()
            .filter(|(n, _)| *n == field)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
            .collect();
        if values.is_empty() {
            if q.required {
                errors.push(FieldError::new(&field, "survey.answer_required"));
            }
            continue;
        }
        match answer_of(q, &values) {
            Ok(answer) => answers.push(answer),
            Err(key) => errors.push(FieldError::new(&field, key)),
        }
    }
    if errors.is_empty() {
        Ok(answers)
    } else {
        Err(errors)
    }
}

fn answer_of(q: &RespondentQuestion, values: &[&str]) -> Result<Answer, &'static str> {
    let mut answer = Answer {
        question_id: q.id,
        kind: q.kind,
        score: None,
        choices: Vec::new(),
        body: None,
    };
    if let Some((low, high)) = q.kind.scale() {
        let score = values
            .first()
            .and_then(|v| v.parse::<i64>().ok())
            .filter(|s| (low..=high).contains(s))
            .ok_or("survey.answer_scale")?;
        answer.score = Some(score);
    } else if q.kind.has_choices() {
        let mut chosen = Vec::new();
        for v in values {
            let at = v
                .parse::<usize>()
                .ok()
                .filter(|i| *i < q.choices.len())
                .ok_or("survey.answer_choice")?;
            if !chosen.contains(&at) {
                chosen.push(at);
            }
        }
        if q.kind == QuestionKind::Single && chosen.len() > 1 {
            return Err("survey.answer_one_choice");
        }
        chosen.sort_unstable();
        answer.choices = chosen;
    } else {
        let text = values.join("\n");
        if text.chars().count() > MAX_TEXT_ANSWER {
            return Err("survey.answer_too_long");
        }
        answer.body = Some(text);
    }
    Ok(answer)
}

/// Whether any answer of a response is poor enough to open a complaint (one complaint
/// per response, however many of its answers are poor).
pub fn has_poor_answer(answers: &[Answer]) -> bool {
    answers
        .iter()
        .any(|a| a.score.is_some_and(|s| super::scoring::is_poor(a.kind, s)))
}

/// What a link is when it is opened.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum LinkState {
    Open,
    Unknown,
    Expired,
    Used,
    Closed,
}

impl LinkState {
    /// The message key of the page a link that cannot be answered shows.
    pub fn message_key(self) -> &'static str {
        match self {
            LinkState::Open => "survey.link.open",
            LinkState::Unknown => "survey.link.unknown",
            LinkState::Expired => "survey.link.expired",
            LinkState::Used => "survey.link.used",
            LinkState::Closed => "survey.link.closed",
        }
    }

    /// The HTTP status of its page: gone for expired, used and closed links.
    pub fn status(self) -> u16 {
        match self {
            LinkState::Open => 200,
            LinkState::Unknown => 404,
            _ => 410,
        }
    }
}

/// The answer page: the survey in the respondent's language, or why it cannot be answered.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AnswerPage {
    pub state: LinkState,
    pub title: String,
    pub intro: String,
    pub questions: Vec<RespondentQuestion>,
    /// Whether the link is a contact's (and so can unsubscribe).
    pub identified: bool,
}

/// Answers shown again after a validation error.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SubmittedAnswers {
    pub posted: Vec<(String, String)>,
    pub errors: Vec<FieldError>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(id: i64, kind: QuestionKind, required: bool) -> RespondentQuestion {
        RespondentQuestion {
            id,
            kind,
            prompt: format!("Q{id}"),
            choices: if kind.has_choices() {
                vec!["a".into(), "b".into(), "c".into()]
            } else {
                Vec::new()
            },
            required,
        }
    }

    fn posted(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn answers_are_checked_against_each_question() {
        let questions = [
            q(1, QuestionKind::Nps, true),
            q(2, QuestionKind::Multiple, false),
            q(3, QuestionKind::Text, false),
            q(4, QuestionKind::Single, false),
        ];
        let answers = check_answers(
            &questions,
            &posted(&[("q1", "9"), ("q2", "2"), ("q2", "0"), ("q3", " 很好 ")]),
        )
        .expect("valid");
        assert_eq!(answers.len(), 3);
        assert_eq!(answers[0].score, Some(9));
        assert_eq!(answers[1].choices, vec![0, 2]);
        assert_eq!(answers[2].body.as_deref(), Some("很好"));

        let errors = check_answers(
            &questions,
            &posted(&[("q2", "7"), ("q4", "0"), ("q4", "1")]),
        )
        .expect_err("invalid");
        let keys: Vec<(&str, &str)> = errors
            .iter()
            .map(|e| (e.field.as_str(), e.key.as_str()))
            .collect();
        assert_eq!(
            keys,
            vec![
                ("q1", "survey.answer_required"),
                ("q2", "survey.answer_choice"),
                ("q4", "survey.answer_one_choice"),
            ]
        );
        let out_of_scale = check_answers(&questions, &posted(&[("q1", "11")]));
        assert!(out_of_scale.is_err());
    }

    #[test]
    fn one_poor_answer_marks_the_response() {
        let questions = [q(1, QuestionKind::Nps, true), q(2, QuestionKind::Ces, true)];
        let good = check_answers(&questions, &posted(&[("q1", "9"), ("q2", "2")]));
        assert!(!has_poor_answer(&good.expect("valid")));
        let poor = check_answers(&questions, &posted(&[("q1", "9"), ("q2", "7")]));
        assert!(has_poor_answer(&poor.expect("valid")));
    }

    #[test]
    fn a_choice_question_needs_matching_choices_in_both_languages() {
        let mut f = QuestionForm {
            kind: "single".into(),
            prompt_zh: "您最看重什么？".into(),
            prompt_en: "What matters most?".into(),
            choices_zh: "收益\n风险\n".into(),
            choices_en: "Return".into(),
            required: true,
            form_key: String::new(),
        };
        let errors = f.validate().expect_err("too few");
        assert_eq!(errors[0].field, "choices_en");
        f.choices_en = "Return\nRisk\nTerm".into();
        assert_eq!(
            f.validate().expect_err("mismatch")[0].key,
            "survey.choices_match"
        );
        f.choices_en = "Return\nRisk".into();
        assert_eq!(
            f.validate().expect("valid").choices_zh,
            vec!["收益", "风险"]
        );
        // A scale question keeps no choices.
        f.kind = "nps".into();
        assert!(f.validate().expect("valid").choices_en.is_empty());
    }

    #[test]
    fn survey_settings_stay_in_range() {
        let mut f =
            SurveyForm::from_pairs([("title_zh", "年度满意度调查"), ("title_en", "Annual")]);
        let ok = f.validate().expect("defaults are valid");
        assert_eq!(
            (ok.link_days, ok.reminder_days, ok.max_reminders),
            (30, 7, 2)
        );
        assert_eq!(ok.recur_months, None);
        f.max_reminders = "9".into();
        f.recur_months = "3".into();
        f.title_en = " ".into();
        let fields: Vec<String> = f
            .validate()
            .expect_err("invalid")
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, vec!["title_en", "max_reminders"]);
    }

    #[test]
    fn an_audience_names_its_project_and_fitting_segments() {
        let project = AudienceForm::from_pairs([("group", "project")]);
        assert_eq!(
            project.validate().expect_err("no project")[0].field,
            "project"
        );
        let borrowers = AudienceForm::from_pairs([("group", "borrowers"), ("band", "large")]);
        assert!(borrowers.validate().is_err());
        let investors = AudienceForm::from_pairs([
            ("group", "investors"),
            ("risk_appetite", "growth"),
            ("stage", "maturity"),
        ]);
        let a = investors.validate().expect("valid");
        assert_eq!(a.risk_appetite, Some(RiskAppetite::Growth));
        assert_eq!(a.stage, Some(LifecycleStage::Maturity));
    }

    #[test]
    fn link_states_have_their_own_pages() {
        assert_eq!(LinkState::Unknown.status(), 404);
        assert_eq!(LinkState::Used.status(), 410);
        assert_ne!(
            LinkState::Expired.message_key(),
            LinkState::Closed.message_key()
        );
    }
}

/// The results of one question.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QuestionResult {
    pub id: i64,
    pub kind: Option<QuestionKind>,
    pub prompt: String,
    /// Whether the question has been taken out of the survey (its answers still count).
    pub retired: bool,
    pub answers: u64,
    pub nps: Option<super::scoring::Nps>,
    pub csat: Option<f64>,
    pub ces: Option<f64>,
    pub mean: Option<f64>,
    /// (value or choice, answers), for a bar per value.
    pub distribution: Vec<(String, u64)>,
    /// The newest free-text answers.
    pub texts: Vec<String>,
}

/// Scores of the responses of one segment (a risk appetite or a lifecycle stage, as
/// recorded when each answer was given).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SegmentScore {
    /// Catalogue key of the segment's name, e.g. `risk.growth` or `stage.maturity`.
    pub label_key: String,
    pub responses: u64,
    pub nps: Option<i64>,
    pub csat: Option<f64>,
    pub ces: Option<f64>,
}

/// One point of the trend: a wave, or a month for answers through the open link.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrendPoint {
    pub label: String,
    pub responses: u64,
    pub nps: Option<i64>,
    pub csat: Option<f64>,
    pub ces: Option<f64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SurveyResults {
    pub id: i64,
    pub title: String,
    pub status: Option<SurveyStatus>,
    /// (wave id, number) of every wave, for the wave filter.
    pub waves: Vec<(i64, i64)>,
    pub wave: Option<i64>,
    pub responses: i64,
    pub invited: i64,
    pub response_rate: Option<f64>,
    pub questions: Vec<QuestionResult>,
    pub by_risk: Vec<SegmentScore>,
    pub by_stage: Vec<SegmentScore>,
    pub trend: Vec<TrendPoint>,
    /// The trend as an SVG chart, drawn on the server.
    pub trend_svg: String,
    pub may_export: bool,
}

/// What the answer page renders: handed to it by the `/s/{token}` handlers, which decide
/// the link's state and language before the page renders.
#[derive(Clone, Debug, PartialEq)]
pub struct AnswerContext {
    pub page: AnswerPage,
    pub lang: crate::core::i18n::Lang,
    pub submitted: SubmittedAnswers,
}

/// A response of one of a client's contacts, on the client's page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClientAnswerRow {
    pub id: i64,
    pub submitted_at: String,
    pub contact: String,
    pub survey: String,
    pub nps: Option<i64>,
    pub csat: Option<i64>,
    pub ces: Option<i64>,
    pub comment: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ClientAnswers {
    pub rows: Vec<ClientAnswerRow>,
    pub next: Option<i64>,
}
