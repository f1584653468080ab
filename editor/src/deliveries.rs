//! How the messages to the systems around Kexie are going (webhooks, mail): a line in the
//! editor's head that an administrator notices when something is wrong, opening to each
//! receiver's counts, its last error, and sending the dead deliveries again.

use kexie_api::events::{ReceiverHealth, Redeliver, Redelivered};
use kexie_engine::text::Lang;
use kexie_widget::api::Failure;
use kexie_widget::app::{Session, use_session};
use kexie_widget::views::{Notice, notice};
use yew::prelude::*;

#[function_component]
pub fn Deliveries() -> Html {
    let s = use_session();
    let health = use_state(|| None::<Result<Vec<ReceiverHealth>, Failure>>);
    let open = use_state(|| false);
    let told = use_state(|| None::<Notice>);
    let fetched = use_state(|| 0u32);
    {
        let (health, client) = (health.clone(), s.client.clone());
        use_effect_with(*fetched, move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                health.set(Some(client.get::<Vec<ReceiverHealth>>("/deliveries/health").await));
            });
        });
    }
    let receivers = match &*health {
        Some(Ok(list)) if !list.is_empty() => list.clone(),
        // Nothing configured (or not readable): nothing to show.
        _ => return Html::default(),
    };
    let dead: i64 = receivers.iter().map(|r| r.dead).sum();
    let pending: i64 = receivers.iter().map(|r| r.pending).sum();
    let (class, summary) = match (dead, pending) {
        (0, 0) => ("kx-ed-health kx-ed-health-ok", s.t("消息推送正常", "Deliveries all sent").to_string()),
        (0, n) => ("kx-ed-health", format!("{} {n}", s.t("消息推送：待发送", "Deliveries waiting:"))),
        (n, _) => {
            ("kx-ed-health kx-ed-health-bad", format!("{} {n}", s.t("消息推送：已停止重试", "Deliveries given up:")))
        }
    };
    let toggle = {
        let open = open.clone();
        Callback::from(move |_| open.set(!*open))
    };
    html! {
        <div class="kx-ed-deliveries">
            <button type="button" {class} aria-expanded={open.to_string()} onclick={toggle}>{ summary }</button>
            if *open {
                <div class="kx-panel kx-ed-delivery-list" role="region" aria-label={s.t("消息推送", "Deliveries")}>
                    { notice(&told) }
                    <ul>{ for receivers.iter().map(|r| receiver(&s, r, &told, &fetched)) }</ul>
                </div>
            }
        </div>
    }
}

/// One receiver's line, with 「重新投递」 when some of its deliveries died.
fn receiver(
    s: &Session,
    r: &ReceiverHealth,
    told: &UseStateHandle<Option<Notice>>,
    fetched: &UseStateHandle<u32>,
) -> Html {
    let name = if r.hook == "email" { s.t("邮件", "Mail").to_string() } else { r.hook.clone() };
    let counts = match s.lang {
        Lang::Zh => format!("待发送 {} · 已停止 {} · 已送达 {}", r.pending, r.dead, r.done),
        Lang::En => format!("waiting {} · given up {} · delivered {}", r.pending, r.dead, r.done),
    };
    let resend = (r.dead > 0).then(|| {
        let label = s.t("重新投递", "Send again");
        let (session, hook, told, fetched) = (s.clone(), r.hook.clone(), told.clone(), fetched.clone());
        let onclick = Callback::from(move |_| {
            let (s, hook, told, fetched) = (session.clone(), hook.clone(), told.clone(), fetched.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let asked = Redeliver { hook: Some(hook) };
                match s.client.post::<Redelivered>("/deliveries/redeliver", &asked).await {
                    Ok(r) => {
                        let said = match s.lang {
                            Lang::Zh => format!("已重新排队 {} 条，将立即发送。", r.requeued),
                            Lang::En => format!("{} requeued; they go out now.", r.requeued),
                        };
                        told.set(Some(Notice::Success(said)));
                        fetched.set(*fetched + 1);
                    }
                    Err(f) => told.set(Some(Notice::Error(f.explain(s.lang)))),
                }
            });
        });
        html! { <button type="button" class="kx-btn" {onclick}>{ label }</button> }
    });
    html! {
        <li class="kx-ed-delivery">
            <strong class="kx-ed-delivery-name">{ name }</strong>
            <span class="kx-hint">{ counts }</span>
            if !r.last_error.is_empty() {
                <span class="kx-ed-delivery-error">{ format!("{}{}", s.t("最近错误：", "Last error: "), r.last_error) }</span>
            }
            { resend.unwrap_or_default() }
        </li>
    }
}
