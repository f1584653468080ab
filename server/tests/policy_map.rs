//! `docs/policy-map.md` is kept true: every article a shipped workflow cites is mapped for
//! that workflow, every case the map names exists, and nothing cites an article the
//! Opinions do not have.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use kexie_engine::Workflow;
use kexie_engine::definition::{Field, Source};

/// The Opinions' articles, （一） to （十七）.
const ARTICLES: [&str; 17] = [
    "一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二", "十三", "十四", "十五", "十六", "十七",
];

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// What the map says: the articles it has a section for, the (article, workflow) pairs of
/// its rows, and the (workflow, case file) pairs its rows name.
struct Map {
    sections: Vec<String>,
    rows: BTreeSet<(String, String)>,
    cases: Vec<(String, String)>,
}

/// The text between each pair of backticks.
fn quoted(cell: &str) -> Vec<String> {
    cell.split('`').skip(1).step_by(2).map(String::from).collect()
}

fn read_map(text: &str) -> Map {
    let mut map = Map { sections: Vec::new(), rows: BTreeSet::new(), cases: Vec::new() };
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("## （") {
            map.sections.push(rest.split('）').next().unwrap_or_default().to_string());
        }
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        // "| obligation | `workflow` | carried by | case |" splits into six cells.
        let (Some(article), true) = (map.sections.last(), cells.len() == 6) else { continue };
        let Some(workflow) = quoted(cells[2]).into_iter().next() else { continue };
        map.rows.insert((article.clone(), workflow.clone()));
        map.cases.extend(quoted(cells[4]).into_iter().map(|case| (workflow.clone(), case)));
    }
    map
}

/// Every article `workflow.toml` and `rules.rhai` cite: the definition's `article` keys,
/// and every string in the rules that is written like an article number (a citation may
/// be chosen in a variable before `msg` gets it).
fn citations(dir: &Path) -> BTreeSet<String> {
    let toml = std::fs::read_to_string(dir.join("workflow.toml")).unwrap();
    let rhai = std::fs::read_to_string(dir.join("rules.rhai")).unwrap();
    let wf =
        Workflow::load(&Source { name: "workflow.toml", text: &toml }, &Source { name: "rules.rhai", text: &rhai })
            .unwrap_or_else(|e| panic!("{}: {e:?}", dir.display()));
    let def = &wf.definition;
    let fields = def.fields.iter().flat_map(|f| std::iter::once(f).chain(&f.columns)).map(|f: &Field| &f.article);
    let mut out: BTreeSet<String> =
        fields.chain(def.steps.iter().map(|s| &s.article)).chain([&def.article]).flatten().cloned().collect();
    let numeral = |s: &&str| !s.is_empty() && s.chars().all(|c| "一二三四五六七八九十".contains(c));
    out.extend(rhai.split('"').skip(1).step_by(2).filter(numeral).map(String::from));
    out
}

fn shipped() -> Vec<(String, PathBuf)> {
    let mut out: Vec<(String, PathBuf)> = std::fs::read_dir(repo().join("workflows"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("workflow.toml").exists())
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), p))
        .collect();
    out.sort();
    out
}

#[test]
fn every_citation_of_a_shipped_workflow_is_mapped_for_it() {
    let map = read_map(&std::fs::read_to_string(repo().join("docs/policy-map.md")).unwrap());
    let mut unmapped = Vec::new();
    for (key, dir) in shipped() {
        for article in citations(&dir) {
            assert!(ARTICLES.contains(&article.as_str()), "{key} cites （{article}）, which the Opinions do not have");
            if !map.rows.contains(&(article.clone(), key.clone())) {
                unmapped.push(format!("{key} cites （{article}）"));
            }
        }
    }
    assert!(unmapped.is_empty(), "docs/policy-map.md has no row for: {unmapped:?}");
}

#[test]
fn the_map_covers_every_article_and_names_only_cases_that_exist() {
    let map = read_map(&std::fs::read_to_string(repo().join("docs/policy-map.md")).unwrap());
    assert_eq!(map.sections, ARTICLES, "one section per article, in order");
    let keys: Vec<String> = shipped().into_iter().map(|(k, _)| k).collect();
    assert!(map.cases.len() >= 30, "{} cases named", map.cases.len());
    for (workflow, case) in &map.cases {
        assert!(keys.contains(workflow), "the map names a workflow that is not shipped: {workflow}");
        let path = repo().join("workflows").join(workflow).join("cases").join(case);
        assert!(path.exists(), "the map names {workflow}/cases/{case}, which does not exist");
    }
}

#[test]
fn a_citation_chosen_in_a_variable_is_found_too() {
    // commendation's rules pick 三 or 十六 for the nominee's message in a variable.
    let cited = citations(&repo().join("workflows/commendation"));
    assert!(cited.contains("三") && cited.contains("十三"), "{cited:?}");
    let wrong = read_map("## （十）\n| x | `a` | y | `01.toml`, `02.toml` |\n| no workflow | — | | |");
    assert_eq!(wrong.rows.into_iter().collect::<Vec<_>>(), [("十".to_string(), "a".to_string())]);
    assert_eq!(wrong.cases.len(), 2);
}
