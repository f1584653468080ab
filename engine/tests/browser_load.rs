//! The widget loads each published workflow from the server's JSON of its checked
//! definition, never from TOML: every shipped definition must survive that trip whole.

use kexie_engine::Workflow;
use kexie_engine::definition::Source;

#[test]
fn every_shipped_definition_survives_the_json_trip_to_the_browser() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../workflows");
    let mut seen = 0;
    for dir in std::fs::read_dir(&root).unwrap().map(|e| e.unwrap().path()).filter(|p| p.join("workflow.toml").exists())
    {
        let toml = std::fs::read_to_string(dir.join("workflow.toml")).unwrap();
        let rhai = std::fs::read_to_string(dir.join("rules.rhai")).unwrap();
        let rules = Source { name: "rules.rhai", text: &rhai };
        let server = Workflow::load(&Source { name: "workflow.toml", text: &toml }, &rules).unwrap();
        let json = serde_json::to_string(&server.definition).unwrap();
        let browser = Workflow::from_definition(serde_json::from_str(&json).unwrap(), &rules).unwrap();
        assert_eq!(browser.definition, server.definition, "{}", dir.display());
        seen += 1;
    }
    assert_eq!(seen, 6, "the six shipped workflows");
}
