//! People: the caller, somebody an instance names, the directory's search.

use kexie_engine::people::Actor;
use serde::{Deserialize, Serialize};

/// The verified caller (`GET /me`): who the rules see acting, and whether they administer.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Me {
    pub id: String,
    pub name: String,
    pub department: Option<String>,
    pub roles: Vec<String>,
    /// Holds the configured admin role (may publish and sync the directory).
    pub admin: bool,
}

impl Me {
    pub fn of(actor: Actor, admin: bool) -> Self {
        let Actor { id, name, department, roles } = actor;
        Me { id, name, department, roles, admin }
    }

    /// The caller as the rules see them.
    pub fn actor(&self) -> Actor {
        let Me { id, name, department, roles, .. } = self.clone();
        Actor { id, name, department, roles }
    }
}

/// Somebody, by id and name; an instance's initiator also with department and roles (the
/// actor its rules see as `ctx.initiator`). Left out when empty, as `Actor` reads them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PersonRef {
    pub id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<String>,
}

impl PersonRef {
    /// Id and name only (work lists, publishers).
    pub fn named(id: String, name: String) -> Self {
        PersonRef { id, name, department: None, roles: Vec::new() }
    }

    /// The person as the rules see them.
    pub fn actor(&self) -> Actor {
        let PersonRef { id, name, department, roles } = self.clone();
        Actor { id, name, department, roles }
    }
}

impl From<&Actor> for PersonRef {
    fn from(a: &Actor) -> Self {
        PersonRef { id: a.id.clone(), name: a.name.clone(), department: a.department.clone(), roles: a.roles.clone() }
    }
}

/// A person as the host's directory sends them (`POST /directory`): who they are and,
/// for mail (`[email]`), where and in which language to write to them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DirectoryEntry {
    pub id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub roles: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    /// Their mail address; left out, the one synced before stays.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// `zh-CN` (the default) or `en`: the language mail is written in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
}

impl DirectoryEntry {
    pub fn actor(&self) -> Actor {
        let DirectoryEntry { id, name, roles, department, .. } = self.clone();
        Actor { id, name, department, roles }
    }
}

/// What to look for in the directory (`GET /directory`).
#[derive(Debug, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct DirectoryQuery {
    /// Part of an id, name or department id (case-insensitive).
    pub q: Option<String>,
    /// Exact ids, comma-separated (e.g. to name the people a form mentions).
    pub ids: Option<String>,
    /// Only people holding this role (a person field limited to it).
    pub role: Option<String>,
    /// 1 to 200; default 20. Limits people and departments each.
    pub limit: Option<i64>,
}

/// A person as pickers show them (roles are not shown to everybody).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Person {
    pub id: String,
    pub name: String,
    pub department: Option<String>,
}

/// People matching, by name then id, and department ids containing the query.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DirectoryPage {
    pub people: Vec<Person>,
    pub departments: Vec<String>,
}

/// How many people a directory sync (`POST /directory`) wrote.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DirectoryResult {
    pub updated: usize,
}
