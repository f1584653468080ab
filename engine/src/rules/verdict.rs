//! What `check` returns: a verdict the rules build with `verdict()` and its methods.

use rhai::Dynamic;

use crate::text::Message;

/// The rules' decision about the current form, as built by the script.
#[derive(Debug, Clone, Default)]
pub struct Verdict {
    /// `v.error(path, msg)`: this field (or table cell) is wrong.
    pub errors: Vec<(String, Message)>,
    /// `v.require(field, msg)`: this field must be filled.
    pub required: Vec<(String, Message)>,
    /// `v.hide(field)`: do not show this field now.
    pub hidden: Vec<String>,
    /// `v.set(field, value)`: a computed field's value.
    pub computed: Vec<(String, Dynamic)>,
    /// `v.note(msg)`: advice shown, not blocking.
    pub notes: Vec<Message>,
}

/// Registers the verdict type and its methods.
pub fn register(engine: &mut rhai::Engine) {
    engine
        .register_type_with_name::<Verdict>("verdict")
        .register_fn("verdict", Verdict::default)
        .register_fn("error", |v: &mut Verdict, path: &str, m: Message| v.errors.push((path.into(), m)))
        .register_fn("require", |v: &mut Verdict, field: &str, m: Message| v.required.push((field.into(), m)))
        .register_fn("hide", |v: &mut Verdict, field: &str| v.hidden.push(field.into()))
        .register_fn("set", |v: &mut Verdict, field: &str, value: Dynamic| v.computed.push((field.into(), value)))
        .register_fn("note", |v: &mut Verdict, m: Message| v.notes.push(m));
    engine
        .register_type_with_name::<Message>("message")
        .register_fn("msg", |zh: &str, en: &str| Message::new(zh, en))
        .register_fn("msg", |zh: &str, en: &str, article: &str| Message {
            zh: zh.into(),
            en: en.into(),
            article: Some(article.into()),
        });
}
