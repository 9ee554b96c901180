//! The HTML shell, the root component and the route tree composed from each area's pages.
use crate::auth::pages::{AccountPage, LoginPage, UserEditPage, UsersPage};
use crate::clients::pages::{
    ClientDetailPage, ClientEditPage, ClientNewPage, ClientsPage, ContactEditPage,
};
use crate::home::HomePage;
use crate::pipeline::board::pages::PipelinePage;
use crate::pipeline::lifecycle::pages::{AtRiskPage, LifecyclePage};
use crate::pipeline::pages::{DealDetailPage, DealEditPage, DealNewPage, DealsPage};
use crate::portal::access::pages::{InvitationPage, PortalLoginPage, ResetPage, ResetRequestPage};
use crate::portal::pages::{
    PortalOverviewPage, PortalProjectPage, PortalProjectsPage, PortalUpdatePage,
};
use crate::portal::questions::pages::{
    PortalQuestionPage, PortalQuestionsPage, QuestionPage, QuestionQueuePage,
};
use crate::projects::pages::{ProjectDetailPage, ProjectEditPage, ProjectNewPage, ProjectsPage};
use crate::projects::updates::pages::{UpdateDetailPage, UpdateNewPage};
use crate::ui::layout::{NotFound, PortalLayout, StaffLayout};
use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, provide_meta_context};
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::{SsrMode, path};

/// The document around the app, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang=html_lang()>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <HydrationScripts options islands=true />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// `<html lang>` of this request, decided the same way as the session's language.
fn html_lang() -> &'static str {
    #[cfg(feature = "ssr")]
    {
        // A survey's answer page speaks the link's language.
        if let Some(answer) = use_context::<crate::surveys::model::AnswerContext>() {
            return answer.lang.html_lang();
        }
        if let Some(parts) = use_context::<http::request::Parts>() {
            return crate::auth::handlers::request_lang(&parts).html_lang();
        }
    }
    crate::core::i18n::Lang::default().html_lang()
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Stylesheet id="leptos" href="/pkg/covenant.css" />
        <Router>
            <Routes fallback=NotFound>
                <Route path=path!("/login") view=LoginPage ssr=SsrMode::Async />
                <Route path=path!("/portal/login") view=PortalLoginPage ssr=SsrMode::Async />
                <Route path=path!("/portal/invite/:token") view=InvitationPage ssr=SsrMode::Async />
                <Route path=path!("/portal/reset") view=ResetRequestPage ssr=SsrMode::Async />
                <Route path=path!("/portal/reset/:token") view=ResetPage ssr=SsrMode::Async />
                <Route path=path!("/s/:token") view=crate::surveys::answer_pages::SurveyAnswerPage ssr=SsrMode::Async />
                <Route path=path!("/s/:token/unsubscribe") view=crate::surveys::answer_pages::SurveyUnsubscribePage ssr=SsrMode::Async />
                <Route path=path!("/survey/thanks") view=crate::surveys::answer_pages::SurveyThanksPage ssr=SsrMode::Async />
                <Route path=path!("/survey/unsubscribed") view=crate::surveys::answer_pages::SurveyUnsubscribedPage ssr=SsrMode::Async />
                <ParentRoute path=path!("/portal") view=PortalLayout ssr=SsrMode::Async>
                    <Route path=path!("") view=PortalOverviewPage />
                    <Route path=path!("projects") view=PortalProjectsPage />
                    <Route path=path!("projects/:id") view=PortalProjectPage />
                    <Route path=path!("updates/:id") view=PortalUpdatePage />
                    <Route path=path!("questions") view=PortalQuestionsPage />
                    <Route path=path!("questions/:id") view=PortalQuestionPage />
                    <Route path=path!("profile") view=crate::portal::profile::pages::PortalProfilePage />
                    <Route path=path!("track-record") view=crate::portal::pages::PortalTrackRecordPage />
                    <Route path=path!("complaints") view=crate::portal::complaints::pages::PortalComplaintsPage />
                    <Route path=path!("complaints/:id") view=crate::portal::complaints::pages::PortalComplaintPage />
                </ParentRoute>
                <ParentRoute path=path!("") view=StaffLayout ssr=SsrMode::Async>
                    <Route path=path!("") view=HomePage />
                    <Route path=path!("account") view=AccountPage />
                    <Route path=path!("admin/users") view=UsersPage />
                    <Route path=path!("admin/users/:id") view=UserEditPage />
                    <Route path=path!("clients") view=ClientsPage />
                    <Route path=path!("clients/new") view=ClientNewPage />
                    <Route path=path!("clients/:id") view=ClientDetailPage />
                    <Route path=path!("clients/:id/edit") view=ClientEditPage />
                    <Route path=path!("clients/:id/contacts/:contact") view=ContactEditPage />
                    <Route path=path!("projects") view=ProjectsPage />
                    <Route path=path!("projects/new") view=ProjectNewPage />
                    <Route path=path!("projects/:id") view=ProjectDetailPage />
                    <Route path=path!("projects/:id/edit") view=ProjectEditPage />
                    <Route path=path!("projects/:id/updates/new") view=UpdateNewPage />
                    <Route path=path!("projects/:id/updates/:update") view=UpdateDetailPage />
                    <Route path=path!("lifecycle") view=LifecyclePage />
                    <Route path=path!("lifecycle/at-risk") view=AtRiskPage />
                    <Route path=path!("pipeline") view=PipelinePage />
                    <Route path=path!("deals") view=DealsPage />
                    <Route path=path!("questions") view=QuestionQueuePage />
                    <Route path=path!("questions/:id") view=QuestionPage />
                    <Route path=path!("complaints") view=crate::feedback::complaints::pages::ComplaintQueuePage />
                    <Route path=path!("complaints/dashboard") view=crate::feedback::complaints::pages::ComplaintDashboardPage />
                    <Route path=path!("complaints/targets") view=crate::feedback::complaints::pages::ComplaintTargetsPage />
                    <Route path=path!("complaints/:id") view=crate::feedback::complaints::pages::ComplaintDetailPage />
                    <Route path=path!("surveys") view=crate::surveys::pages::SurveysPage />
                    <Route path=path!("surveys/:id") view=crate::surveys::pages::SurveyPage />
                    <Route path=path!("surveys/:id/questions/:question") view=crate::surveys::pages::SurveyQuestionPage />
                    <Route path=path!("surveys/:id/preview") view=crate::surveys::pages::SurveyPreviewPage />
                    <Route path=path!("surveys/:id/results") view=crate::surveys::pages::SurveyResultsPage />
                    <Route path=path!("deals/new") view=DealNewPage />
                    <Route path=path!("deals/:id") view=DealDetailPage />
                    <Route path=path!("deals/:id/edit") view=DealEditPage />
                    <Route path=path!("portal-users/:user") view=crate::portal::engagement::pages::EngagementPage />
                    <ParentRoute path=path!("portal-users/:user/preview") view=crate::portal::preview::pages::PreviewFrame>
                        <Route path=path!("") view=PortalOverviewPage />
                        <Route path=path!("projects") view=PortalProjectsPage />
                        <Route path=path!("projects/:id") view=PortalProjectPage />
                        <Route path=path!("updates/:id") view=PortalUpdatePage />
                        <Route path=path!("questions") view=PortalQuestionsPage />
                        <Route path=path!("questions/:id") view=PortalQuestionPage />
                        <Route path=path!("complaints") view=crate::portal::complaints::pages::PortalComplaintsPage />
                        <Route path=path!("complaints/:id") view=crate::portal::complaints::pages::PortalComplaintPage />
                        <Route path=path!("track-record") view=crate::portal::pages::PortalTrackRecordPage />
                        <Route path=path!("profile") view=crate::portal::profile::pages::PortalProfilePage />
                    </ParentRoute>
                </ParentRoute>
            </Routes>
        </Router>
    }
}
