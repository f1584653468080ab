//! Component tests of the form renderer in a real browser (headless Chromium through
//! wasm-bindgen-test): every field kind renders and edits, the rules run live on every
//! change, tables add and remove rows and total their columns, a restored draft names its
//! people.
#![cfg(target_arch = "wasm32")]

use std::collections::BTreeSet;
use std::rc::Rc;

use gloo::timers::future::TimeoutFuture;
use kexie_api::Me;
use kexie_engine::definition::Source;
use kexie_engine::fields::{FieldError, Form};
use kexie_engine::text::Lang;
use kexie_engine::{RuleContext, Workflow};
use kexie_widget::api::Client;
use kexie_widget::app::{Compiled, Session};
use kexie_widget::draft::DraftKey;
use kexie_widget::form::{FormView, Shared, picker};
use serde_json::Value;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

wasm_bindgen_test_configure!(run_in_browser);

fn compiled() -> Rc<Compiled> {
    let wf = Workflow::load(
        &Source { name: "workflow.toml", text: include_str!("all-kinds/workflow.toml") },
        &Source { name: "rules.rhai", text: include_str!("all-kinds/rules.rhai") },
    )
    .expect("the fixture loads");
    Rc::new(Compiled::new(wf))
}

#[derive(Properties, PartialEq)]
struct HarnessProps {
    lang: Lang,
    /// The form to start from (a restored draft's changes).
    #[prop_or_default]
    values: Form,
}

/// The form with its state, as the start view holds it: every error shows.
#[function_component]
fn Harness(p: &HarnessProps) -> Html {
    let wf = use_memo((), |_| compiled());
    let values = use_state(|| p.values.clone());
    let ctx = RuleContext { step: "apply".into(), today: "2026-11-25".into(), ..RuleContext::default() };
    let eval = Rc::new(wf.wf.evaluate(&values, &ctx).expect("the rules run"));
    let editable: Rc<BTreeSet<String>> = Rc::new(wf.wf.definition.steps[0].editable.iter().cloned().collect());
    let errors: Rc<Vec<FieldError>> = Rc::new(eval.errors.clone());
    let on_change = {
        let values = values.clone();
        Callback::from(move |(id, v): (String, Value)| {
            let mut next = (*values).clone();
            if v.is_null() {
                next.remove(&id)
            } else {
                next.insert(id, v)
            };
            values.set(next);
        })
    };
    let session = Session {
        client: Client::new("/api/v1", String::new(), None),
        me: Rc::new(Me { id: "tester".into(), name: "测试".into(), ..Me::default() }),
        lang: p.lang,
        host: gloo::utils::body().into(),
        people: None,
        uid: 7,
        go: Callback::noop(),
    };
    html! {
        <ContextProvider<Session> context={session}>
            <FormView wf={Shared((*wf).clone())} values={Rc::new((*values).clone())} {eval} {editable} {errors}
                {on_change} on_blur={Callback::noop()} />
        </ContextProvider<Session>>
    }
}

async fn mount(lang: Lang) -> Element {
    mount_with(lang, Form::new()).await
}

async fn mount_with(lang: Lang, values: Form) -> Element {
    let root = gloo::utils::document().create_element("div").unwrap();
    gloo::utils::body().append_child(&root).unwrap();
    yew::Renderer::<Harness>::with_root_and_props(root.clone(), HarnessProps { lang, values }).render();
    settle().await;
    root
}

/// Lets Yew render what the last event changed.
async fn settle() {
    TimeoutFuture::new(0).await;
}

fn find(root: &Element, selector: &str) -> Element {
    root.query_selector(selector).unwrap().unwrap_or_else(|| panic!("nothing matches {selector}"))
}

fn text_of(root: &Element, selector: &str) -> String {
    find(root, selector).text_content().unwrap_or_default()
}

async fn type_into(root: &Element, selector: &str, value: &str) {
    let input: HtmlInputElement = find(root, selector).unchecked_into();
    input.set_value(value);
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    input
        .dispatch_event(&web_sys::InputEvent::new_with_event_init_dict("input", &init.unchecked_into()).unwrap())
        .unwrap();
    settle().await;
}

async fn choose(root: &Element, selector: &str, value: &str) {
    let select: HtmlSelectElement = find(root, selector).unchecked_into();
    select.set_value(value);
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    select.dispatch_event(&web_sys::Event::new_with_event_init_dict("change", &init).unwrap()).unwrap();
    settle().await;
}

async fn click(root: &Element, selector: &str) {
    find(root, selector).unchecked_into::<web_sys::HtmlElement>().click();
    settle().await;
}

#[wasm_bindgen_test]
async fn every_field_kind_renders_with_its_label() {
    let root = mount(Lang::Zh).await;
    for (id, tag) in [
        ("name", "INPUT"),
        ("story", "TEXTAREA"),
        ("staff", "INPUT"),
        ("budget", "INPUT"),
        ("day", "INPUT"),
        ("mode", "SELECT"),
        ("zone", "INPUT"),
        ("owner", "INPUT"),
        ("dept", "INPUT"),
        ("files", "INPUT"),
    ] {
        assert_eq!(find(&root, &format!("#kx7-{id}")).tag_name(), tag, "{id}");
    }
    assert_eq!(find(&root, "#kx7-day").get_attribute("type").as_deref(), Some("date"));
    assert_eq!(find(&root, "#kx7-owner").get_attribute("role").as_deref(), Some("combobox"));
    assert_eq!(root.query_selector_all("input[name=kx7-size]").unwrap().length(), 2, "two radio buttons");
    assert_eq!(root.query_selector_all("[data-field=tags] input[type=checkbox]").unwrap().length(), 2);
    assert!(text_of(&root, "label[for=kx7-name]").contains("名称"));
    assert!(text_of(&root, ".kx-excerpt").contains("第二段。"), "rich text, paragraph by paragraph");
    assert!(text_of(&root, "[data-field=staff]").contains("人"), "the unit shows");
    assert_eq!(find(&root, "#kx7-files").get_attribute("accept").as_deref(), Some("application/pdf"));
}

#[wasm_bindgen_test]
async fn rules_run_on_every_change() {
    let root = mount(Lang::Zh).await;
    assert!(root.query_selector("#kx7-reason").unwrap().is_none(), "hidden until mode B");
    choose(&root, "#kx7-mode", "b").await;
    assert!(root.query_selector("#kx7-reason").unwrap().is_some(), "shown for mode B");
    assert!(text_of(&root, "[data-field=reason]").contains("选乙须说明理由"), "the rule's reason, not just 'required'");
    assert!(text_of(&root, "[data-field=reason]").contains("第（十）条"), "with its article");
    type_into(&root, "#kx7-staff", "101").await;
    let staff = find(&root, "#kx7-staff");
    assert_eq!(staff.get_attribute("aria-invalid").as_deref(), Some("true"));
    let described = staff.get_attribute("aria-describedby").unwrap_or_default();
    assert!(described.contains("kx7-staff-err"), "the error is tied to the input: {described}");
    assert!(text_of(&root, "#kx7-staff-err").contains("人数不得超过100"));
    type_into(&root, "#kx7-staff", "99").await;
    assert!(root.query_selector("#kx7-staff-err").unwrap().is_none(), "the error goes as soon as it is fixed");
    type_into(&root, "#kx7-staff", "12a").await;
    assert_eq!(find(&root, "#kx7-staff").unchecked_into::<HtmlInputElement>().value(), "12a", "what was typed stays");
    assert!(root.query_selector("#kx7-staff-err").unwrap().is_some(), "and the engine says why it is wrong");
}

#[wasm_bindgen_test]
async fn tables_add_move_and_remove_rows_and_total_their_columns() {
    let root = mount(Lang::Zh).await;
    click(&root, "[data-field=items] .kx-btn-add").await;
    click(&root, "[data-field=items] .kx-btn-add").await;
    assert_eq!(root.query_selector_all("[data-field=items] tbody tr").unwrap().length(), 2);
    type_into(&root, "#kx7-items-r0-cost", "1200.5").await;
    type_into(&root, "#kx7-items-r1-cost", "0.25").await;
    assert_eq!(text_of(&root, "[data-field=items] .kx-total:nth-child(3) .kx-sum"), "1,200.75", "exact, grouped");
    assert!(text_of(&root, "[data-field=total]").contains("1,200.75"), "the computed field follows");
    assert!(text_of(&root, "[data-field=items]").contains("请填写"), "a required cell says so in its row");
    assert!(find(&root, "#kx7-items-r0-what").get_attribute("aria-label").unwrap_or_default().contains("第 1 行"));
    // The first row moves down: the rows swap places, the total stays.
    click(&root, "[data-field=items] [aria-label='下移第 1 行']").await;
    assert_eq!(find(&root, "#kx7-items-r0-cost").unchecked_into::<HtmlInputElement>().value(), "0.25");
    assert_eq!(find(&root, "#kx7-items-r1-cost").unchecked_into::<HtmlInputElement>().value(), "1200.5");
    assert!(root.query_selector("[aria-label='下移第 2 行']").unwrap().is_none(), "the last row cannot move down");
    click(&root, "[data-field=items] [aria-label='删除第 1 行']").await;
    assert_eq!(root.query_selector_all("[data-field=items] tbody tr").unwrap().length(), 1);
    assert_eq!(text_of(&root, "[data-field=items] .kx-total:nth-child(3) .kx-sum"), "1,200.50");
}

#[wasm_bindgen_test]
async fn english_on_request() {
    let root = mount(Lang::En).await;
    assert!(text_of(&root, "label[for=kx7-name]").contains("Name"));
    choose(&root, "#kx7-mode", "b").await;
    assert!(text_of(&root, "[data-field=reason]").contains("B needs a reason"));
    assert!(text_of(&root, "#kx7-mode").contains("Choose"));
}

#[wasm_bindgen_test]
async fn a_restored_draft_names_its_people() {
    use gloo::storage::{LocalStorage, Storage};
    // A page where the pickers found 王磊 and 刘强 (in a table row) keeps their names.
    picker::remember("wanglei", "王磊");
    picker::remember("liuqiang", "刘强");
    let key = DraftKey::start("/api/v1", "tester", "names");
    let changes: Form = serde_json::from_value(serde_json::json!({
        "owner": "wanglei", "items": [{ "what": "liuqiang" }], "name": "某公司"
    }))
    .unwrap();
    key.save(&changes, 0);
    let stored: Value =
        serde_json::from_str(&LocalStorage::raw().get_item("kexie-draft|/api/v1|tester|start|names").unwrap().unwrap())
            .unwrap();
    assert_eq!(stored["names"], serde_json::json!({ "liuqiang": "刘强", "wanglei": "王磊" }));

    // A new page (nothing remembered of 陈静, whom the host's directory gave) restores
    // another draft: the chip shows her name, not her id.
    let earlier = r#"{"changes":{"owner":"h-chenjing"},"revision":0,"saved_at":0,"names":{"h-chenjing":"陈静"}}"#;
    LocalStorage::raw().set_item("kexie-draft|/api/v1|tester|start|chip", earlier).unwrap();
    let draft = DraftKey::start("/api/v1", "tester", "chip").load().expect("the draft loads");
    let root = mount_with(Lang::Zh, draft.changes).await;
    assert_eq!(text_of(&root, "[data-field=owner] .kx-chip span"), "陈静");
    LocalStorage::clear();
}
