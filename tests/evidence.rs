#![cfg(not(target_arch = "wasm32"))]
//! Evidence profile: the default profile's content, the time model, risk rules, and the
//! rejection of invalid or garbage profiles.

use serde_json::{json, Value};
use skin_preview::evidence::{
    listing_text, Channel, Coverage, Grade, Outcome, Profile, ProfileError, Scenario,
    TreatmentKind, DEFAULT_PROFILE_JSON, MAX_PROJECTION_WEEKS,
};

const REQUIRED_CONCERNS: [&str; 6] = [
    "atrophic-acne-scars",
    "raised-scars",
    "post-inflammatory-hyperpigmentation",
    "melasma",
    "sun-spots",
    "post-inflammatory-redness",
];

const REGENERATIVE: [&str; 4] = [
    "stem-cell-injection",
    "stem-cell-topical",
    "microneedling-stem-cell",
    "scaffold-stem-cell",
];

const CONVENTIONAL: [&str; 7] = [
    "hydroquinone-triple",
    "oral-tranexamic-acid",
    "chemical-peel",
    "fractional-laser",
    "q-switched-laser",
    "microdermabrasion",
    "microneedling",
];

/// Fine grid over the whole accepted horizon.
fn grid() -> impl Iterator<Item = f64> {
    (0..=2080).map(|i| f64::from(i) * 0.05)
}

fn profile() -> &'static Profile {
    Profile::builtin()
}

fn default_value() -> Value {
    serde_json::from_str(DEFAULT_PROFILE_JSON).unwrap()
}

fn outcome_index(value: &Value, treatment: &str, concern: &str) -> usize {
    value["outcomes"]
        .as_array()
        .unwrap()
        .iter()
        .position(|o| o["treatment"] == treatment && o["concern"] == concern)
        .unwrap()
}

fn load(value: &Value) -> Result<Profile, ProfileError> {
    Profile::from_json(&serde_json::to_string(value).unwrap())
}

// ---------------------------------------------------------------- default profile

#[test]
fn default_profile_parses_and_validates() {
    let parsed = Profile::from_json(DEFAULT_PROFILE_JSON).expect("default profile must validate");
    assert_eq!(&parsed, profile());
    assert!(!parsed.modelling_assumption().is_empty());
    assert!(parsed.modelling_assumption().contains("assumption"));
}

#[test]
fn required_ids_are_present_with_kind_and_channels() {
    let p = profile();
    for id in REQUIRED_CONCERNS {
        let concern = p
            .concern(id)
            .unwrap_or_else(|| panic!("missing concern {id}"));
        assert!(!concern.channels.is_empty());
    }
    for id in REGENERATIVE {
        let t = p
            .treatment(id)
            .unwrap_or_else(|| panic!("missing treatment {id}"));
        assert_eq!(t.kind, TreatmentKind::Regenerative, "{id}");
    }
    for id in CONVENTIONAL {
        let t = p
            .treatment(id)
            .unwrap_or_else(|| panic!("missing treatment {id}"));
        assert_eq!(t.kind, TreatmentKind::Conventional, "{id}");
    }
    assert_eq!(
        p.concern("melasma").unwrap().channels,
        vec![Channel::Pigment]
    );
    assert_eq!(
        p.concern("atrophic-acne-scars").unwrap().channels,
        vec![Channel::Texture]
    );
}

#[test]
fn every_pair_is_either_evidenced_or_a_stated_gap() {
    let p = profile();
    for t in p.treatments() {
        for c in p.concerns() {
            assert!(
                !matches!(p.coverage(&t.id, &c.id), Coverage::NotListed),
                "{} on {} is neither an outcome nor a gap",
                t.id,
                c.id
            );
        }
    }
    assert!(p
        .outcome("scaffold-stem-cell", "atrophic-acne-scars")
        .is_none());
    assert!(p.gap("scaffold-stem-cell", "melasma").is_some());
    assert!(p.outcome("stem-cell-injection", "melasma").is_none());
}

#[test]
fn citations_and_bases_are_present() {
    for o in profile().outcomes() {
        if o.grade == Grade::Assumption {
            assert!(o.basis.as_deref().is_some_and(|b| !b.trim().is_empty()));
        } else {
            assert!(!o.citations.is_empty(), "{} on {}", o.treatment, o.concern);
        }
        assert!(!o.mapping.trim().is_empty());
    }
}

#[test]
fn regenerative_evidence_is_never_graded_above_weak() {
    let p = profile();
    for o in p.outcomes() {
        if p.treatment(&o.treatment).unwrap().kind == TreatmentKind::Regenerative {
            assert!(
                matches!(o.grade, Grade::Weak | Grade::Assumption),
                "{} on {} is graded {}",
                o.treatment,
                o.concern,
                o.grade
            );
        }
    }
}

#[test]
fn null_results_are_reflected() {
    let p = profile();
    let topical = p
        .outcome("stem-cell-topical", "atrophic-acne-scars")
        .unwrap();
    let band = topical.points[0].texture.unwrap();
    assert_eq!(band.low, 0.0);
    assert!(
        (band.typical - 0.199).abs() < 1e-12,
        "typical = laser-alone comparator"
    );
    assert!(band.high <= 0.325);
    // A null pilot (n = 8, burn scars) is not a proven zero: typical 0, but a band up to
    // the comparator treatment in the same population (fractional CO2, VSS -34%).
    let fat = p.outcome("stem-cell-injection", "raised-scars").unwrap();
    assert!(fat.mapping.contains("burn scars") && fat.mapping.contains("n=8"));
    for w in grid() {
        assert_eq!(fat.fractions_at(w, Scenario::Low).texture, 0.0);
        assert_eq!(fat.fractions_at(w, Scenario::Typical).texture, 0.0);
        assert!(fat.fractions_at(w, Scenario::High).texture <= 0.34);
    }
    assert_eq!(fat.fractions_at(26.0, Scenario::High).texture, 0.34);
}

/// The bands the honesty pass (issue 18) set, so a silent edit back shows up here.
#[test]
fn corrected_bands_match_their_sources() {
    let p = profile();
    let band = |t: &str, c: &str, channel: Channel| {
        let o = p.outcome(t, c).unwrap();
        let b = *o.points.last().unwrap().band(channel).unwrap();
        (o.grade, [b.low, b.typical, b.high])
    };
    // Triple cream: 26% clear + 51% almost clear x 0.75 = 0.64; no 0.77 high any more.
    let melasma = band("hydroquinone-triple", "melasma", Channel::Pigment);
    assert_eq!(melasma, (Grade::Strong, [0.32, 0.64, 0.64]));
    let pih = band(
        "hydroquinone-triple",
        "post-inflammatory-hyperpigmentation",
        Channel::Pigment,
    );
    assert_eq!(pih, (Grade::Assumption, [0.0, 0.32, 0.64]));
    // Microneedling: its own arm (-9.3%) is the typical; pooling sets only the high.
    let needling = band("microneedling", "atrophic-acne-scars", Channel::Texture);
    assert_eq!(needling, (Grade::Moderate, [0.0465, 0.093, 0.329]));
    // No effect size for the stem-cell product: an assumption on microneedling's own arm.
    let combo = band(
        "microneedling-stem-cell",
        "atrophic-acne-scars",
        Channel::Texture,
    );
    assert_eq!(combo, (Grade::Assumption, [0.0, 0.0465, 0.093]));
    // Cap rule: typical at the controlled 0.329, the reported figure kept as the high.
    for (treatment, reported) in [
        ("microdermabrasion", 0.48),
        ("chemical-peel", 0.47),
        ("stem-cell-injection", 0.33),
    ] {
        let (grade, b) = band(treatment, "atrophic-acne-scars", Channel::Texture);
        assert_eq!(grade, Grade::Weak, "{treatment}");
        assert_eq!(b, [0.1645, 0.329, reported], "{treatment}");
        let mapping = &p.outcome(treatment, "atrophic-acne-scars").unwrap().mapping;
        assert!(mapping.contains("Cap rule"), "{treatment}: {mapping}");
    }
}

/// The cap rule holds in the default profile: no weak or assumption curve's typical is
/// above the best moderate or strong high for the same concern and channel.
#[test]
fn uncontrolled_curves_do_not_outrun_the_controlled_evidence() {
    let p = profile();
    let controlled = |o: &&Outcome| matches!(o.grade, Grade::Strong | Grade::Moderate);
    for o in p.outcomes().iter().filter(|o| !controlled(o)) {
        for channel in o.channels() {
            let best = p
                .outcomes()
                .iter()
                .filter(controlled)
                .filter(|c| c.concern == o.concern)
                .flat_map(|c| c.points.iter().filter_map(move |pt| pt.band(channel)))
                .map(|b| b.high)
                .fold(f64::NAN, f64::max);
            for point in &o.points {
                let typical = point.band(channel).unwrap().typical;
                assert!(
                    best.is_nan() || typical <= best,
                    "{} on {}: typical {typical} above the controlled {best}",
                    o.treatment,
                    o.concern
                );
            }
        }
    }
}

#[test]
fn profile_serialises_and_reloads_unchanged() {
    let text = serde_json::to_string_pretty(profile()).unwrap();
    let again = Profile::from_json(&text).unwrap();
    assert_eq!(&again, profile());
}

// ---------------------------------------------------------------- time model

fn values(o: &Outcome, week: f64, channel: Channel) -> [f64; 3] {
    Scenario::ALL.map(|s| o.fractions_at(week, s).channel(channel))
}

#[test]
fn curves_start_at_zero_and_pass_through_every_cited_point() {
    for o in profile().outcomes() {
        for s in Scenario::ALL {
            let at_zero = o.fractions_at(0.0, s);
            assert_eq!(
                (at_zero.pigment, at_zero.redness, at_zero.texture),
                (0.0, 0.0, 0.0)
            );
            for point in o.cited_points() {
                for channel in point.channels() {
                    let want = s.pick(point.band(channel).unwrap());
                    let got = o.fractions_at(point.week, s).channel(channel);
                    assert!(
                        (got - want).abs() < 1e-9,
                        "{} on {} {s} {channel} week {}: {got} vs {want}",
                        o.treatment,
                        o.concern,
                        point.week
                    );
                }
            }
        }
    }
}

#[test]
fn curves_are_monotone_until_any_relapse() {
    for o in profile().outcomes() {
        let end = o.relapse_start_week().unwrap_or(MAX_PROJECTION_WEEKS);
        for s in Scenario::ALL {
            for channel in o.channels() {
                let mut previous = 0.0;
                for w in grid().filter(|w| *w <= end) {
                    let v = o.fractions_at(w, s).channel(channel);
                    assert!(
                        v >= previous - 1e-12,
                        "{} on {} {s} {channel} falls at week {w}",
                        o.treatment,
                        o.concern
                    );
                    previous = v;
                }
            }
        }
    }
}

#[test]
fn bands_stay_ordered_and_under_the_high_band_at_every_week() {
    for o in profile().outcomes() {
        for channel in o.channels() {
            let cited_high = o
                .cited_points()
                .iter()
                .filter_map(|p| p.band(channel))
                .map(|b| b.high)
                .fold(0.0, f64::max);
            for w in grid() {
                let [low, typical, high] = values(o, w, channel);
                assert!(
                    0.0 <= low && low <= typical && typical <= high && high <= 1.0,
                    "{} on {} {channel} week {w}: {low} {typical} {high}",
                    o.treatment,
                    o.concern
                );
                assert!(high <= cited_high + 1e-12, "exceeds the cited high band");
            }
        }
    }
}

#[test]
fn extrapolation_is_flagged_past_the_last_cited_point() {
    for o in profile().outcomes() {
        let last = o.last_cited_week();
        assert!(!o.fractions_at(last, Scenario::Typical).extrapolated);
        assert!(!o.fractions_at(last * 0.5, Scenario::Typical).extrapolated);
        let beyond = o.fractions_at(last + 0.5, Scenario::Typical);
        assert!(beyond.extrapolated, "{} on {}", o.treatment, o.concern);
        // Held flat after the last cited point.
        let held = o.fractions_at(MAX_PROJECTION_WEEKS, Scenario::Typical);
        assert_eq!(beyond.pigment, held.pigment);
        assert_eq!(beyond.texture, held.texture);
    }
}

#[test]
fn out_of_range_weeks_are_clamped_not_rejected() {
    let o = profile()
        .outcome("oral-tranexamic-acid", "melasma")
        .unwrap();
    let late = o.fractions_at(10_000.0, Scenario::Typical);
    assert_eq!(late.week, MAX_PROJECTION_WEEKS);
    assert_eq!(
        late,
        o.fractions_at(MAX_PROJECTION_WEEKS, Scenario::Typical)
    );
    for weird in [f64::NAN, -5.0, f64::NEG_INFINITY] {
        let p = o.fractions_at(weird, Scenario::High);
        assert_eq!(p.week, 0.0);
        assert_eq!(p.pigment, 0.0);
    }
    assert_eq!(
        o.fractions_at(f64::INFINITY, Scenario::Low).week,
        MAX_PROJECTION_WEEKS
    );
    assert_eq!(o.weekly(Scenario::Typical, 52).len(), 53);
}

#[test]
fn melasma_relapses_after_the_course_stops() {
    let p = profile();
    let melasma: Vec<&Outcome> = p
        .outcomes()
        .iter()
        .filter(|o| o.concern == "melasma")
        .collect();
    assert_eq!(melasma.len(), 5, "five melasma curves");
    for o in melasma {
        let treatment = &o.treatment;
        let start = o
            .relapse_start_week()
            .expect("melasma outcome has a relapse");
        for s in Scenario::ALL {
            let peak = o.fractions_at(start, s).pigment;
            let later = o.fractions_at(start + 20.0, s).pigment;
            assert!(later <= peak, "{treatment} {s}");
            assert!(o.fractions_at(start + 1.0, s).after_course);
        }
        let peak = o.fractions_at(start, Scenario::Typical).pigment;
        let later = o.fractions_at(start + 20.0, Scenario::Typical).pigment;
        assert!(later < peak * 0.6, "{treatment}: {peak} -> {later}");
        // Where no follow-up measured it, the relapse is an assumption with the widest band.
        let relapse = o.relapse.as_ref().unwrap();
        let widest = relapse.basis.contains("Widest band");
        assert_eq!(relapse.assumption, widest, "{treatment}");
        if relapse.assumption {
            let (end, residual) = (
                o.points.last().unwrap().pigment.unwrap(),
                relapse.pigment.unwrap(),
            );
            assert_eq!(residual.low, 0.0, "{treatment}");
            assert_eq!(residual.high, end.high, "{treatment}");
            assert!((residual.typical - end.typical / 2.0).abs() < 1e-12);
        }
    }
    for treatment in [
        "hydroquinone-triple",
        "chemical-peel",
        "microneedling-stem-cell",
    ] {
        let o = p.outcome(treatment, "melasma").unwrap();
        assert!(o.relapse.as_ref().unwrap().assumption, "{treatment}");
    }
    let txa = p.outcome("oral-tranexamic-acid", "melasma").unwrap();
    assert!((txa.fractions_at(12.0, Scenario::Typical).pigment - 0.49).abs() < 1e-9);
    assert!((txa.fractions_at(24.0, Scenario::Typical).pigment - 0.26).abs() < 1e-9);
    assert!((txa.fractions_at(18.0, Scenario::Typical).pigment - 0.375).abs() < 1e-9);
}

#[test]
fn unreported_channels_project_no_change() {
    let o = profile()
        .outcome("fractional-laser", "atrophic-acne-scars")
        .unwrap();
    let p = o.fractions_at(30.0, Scenario::High);
    assert_eq!((p.pigment, p.redness), (0.0, 0.0));
    assert!(p.texture > 0.0);
    assert_eq!(p.grade, Grade::Moderate);
}

// ---------------------------------------------------------------- risk

#[test]
fn pih_warnings_fire_at_ita_28_and_not_at_29() {
    let p = profile();
    for treatment in ["fractional-laser", "q-switched-laser", "chemical-peel"] {
        let dark = p.risk_warnings(treatment, 28.0);
        assert!(
            dark.iter().any(|w| w.rule.starts_with("pih-")),
            "{treatment} at ITA 28"
        );
        for w in &dark {
            assert!(!w.message.is_empty());
            assert!(!w.source.journal.is_empty());
        }
        let light = p.risk_warnings(treatment, 29.0);
        assert!(
            !light.iter().any(|w| w.rule.starts_with("pih-")),
            "{treatment} at ITA 29"
        );
        assert!(!p.risk_warnings(treatment, -45.0).is_empty());
    }
    for treatment in ["microneedling", "hydroquinone-triple", "stem-cell-topical"] {
        assert!(p.risk_warnings(treatment, 28.0).is_empty(), "{treatment}");
        assert!(p.risk_warnings(treatment, 29.0).is_empty(), "{treatment}");
    }
    assert!(p.risk_warnings("no-such-treatment", 0.0).is_empty());
}

#[test]
fn cited_pih_figures_are_in_the_warnings() {
    let p = profile();
    let text: String = p
        .risk_warnings("fractional-laser", 10.0)
        .iter()
        .map(|w| format!("{} {}", w.message, w.source))
        .collect();
    assert!(text.contains("3.04"));
    assert!(text.contains("Lasers Med Sci 2026"));
    assert!(text.contains("30%") && text.contains("6.7%"));
    assert!(text.contains("Indian Dermatol Online J 2024"));
}

#[test]
fn unknown_ita_counts_as_at_risk() {
    assert!(!profile()
        .risk_warnings("fractional-laser", f64::NAN)
        .is_empty());
}

// ---------------------------------------------------------------- listing

#[test]
fn listing_names_everything_and_says_where_evidence_is_missing() {
    let text = listing_text(profile());
    for t in profile().treatments() {
        assert!(text.contains(&t.id), "{}", t.id);
    }
    for c in profile().concerns() {
        assert!(text.contains(&c.id), "{}", c.id);
    }
    for needle in [
        "(grade: strong)",
        "(grade: weak)",
        "(grade: assumption)",
        "No usable evidence",
        "Scaffold-based stem-cell delivery",
        "extrapolation",
        "after stopping",
        "Relapse (assumed, not measured)",
        "Cap rule",
        "ITA ≤ 28°",
        "doi:10.1080/09546634.2019.1630701",
        "PMID 39640445",
    ] {
        assert!(text.contains(needle), "listing lacks {needle:?}");
    }
}

// ---------------------------------------------------------------- invalid profiles

fn expect_error(value: &Value, path: &str, words: &str) {
    let error = load(value).expect_err("profile should be rejected");
    let message = error.to_string();
    assert!(
        message.contains(path),
        "message does not name {path}:\n{message}"
    );
    assert!(
        message.contains(words),
        "message does not say {words:?}:\n{message}"
    );
}

#[test]
fn unknown_concern_id_is_rejected() {
    let mut v = default_value();
    v["outcomes"][0]["concern"] = json!("acne-scars");
    expect_error(
        &v,
        "outcomes[0].concern",
        "no concern has the id `acne-scars`",
    );
}

#[test]
fn unknown_treatment_in_a_risk_rule_is_rejected() {
    let mut v = default_value();
    v["risk_rules"][0]["treatments"][0] = json!("co2-laser");
    expect_error(&v, "risk_rules[0].treatments[0]", "no treatment has the id");
}

#[test]
fn fraction_above_one_is_rejected() {
    let mut v = default_value();
    v["outcomes"][0]["points"][0]["texture"]["high"] = json!(1.5);
    expect_error(&v, "outcomes[0].points[0].texture.high", "outside 0..1");
}

#[test]
fn band_out_of_order_is_rejected() {
    let mut v = default_value();
    v["outcomes"][0]["points"][0]["texture"]["low"] = json!(0.3);
    expect_error(&v, "outcomes[0].points[0].texture", "low ≤ typical ≤ high");
}

#[test]
fn weeks_must_increase() {
    let mut v = default_value();
    let i = outcome_index(&v, "stem-cell-injection", "raised-scars");
    v["outcomes"][i]["points"][1]["week"] = json!(26);
    expect_error(
        &v,
        &format!("outcomes[{i}].points[1].week"),
        "strictly increasing",
    );
}

#[test]
fn weeks_must_lie_within_ten_years() {
    let mut v = default_value();
    v["outcomes"][0]["points"][0]["week"] = json!(600);
    expect_error(&v, "outcomes[0].points[0].week", "at most 520");
    v["outcomes"][0]["points"][0]["week"] = json!(0);
    expect_error(&v, "outcomes[0].points[0].week", "after week 0");
}

#[test]
fn duplicate_ids_are_rejected() {
    let mut v = default_value();
    v["treatments"][1]["id"] = v["treatments"][0]["id"].clone();
    expect_error(&v, "treatments[1].id", "more than once");
}

#[test]
fn non_kebab_case_ids_are_rejected() {
    let mut v = default_value();
    v["concerns"][3]["id"] = json!("Melasma_Facial");
    expect_error(&v, "concerns[3].id", "not a kebab-case id");
}

#[test]
fn citations_are_required_unless_assumption() {
    let mut v = default_value();
    v["outcomes"][0]["citations"] = json!([]);
    expect_error(&v, "outcomes[0].citations", "needs at least one citation");
    let i = outcome_index(
        &v,
        "hydroquinone-triple",
        "post-inflammatory-hyperpigmentation",
    );
    v["outcomes"][i].as_object_mut().unwrap().remove("basis");
    expect_error(&v, &format!("outcomes[{i}].basis"), "needs a `basis`");
}

#[test]
fn a_decline_during_the_course_is_rejected() {
    let mut v = default_value();
    let i = outcome_index(&v, "stem-cell-injection", "raised-scars");
    v["outcomes"][i]["points"][0]["texture"] = json!({"low": 0.1, "typical": 0.2, "high": 0.3});
    expect_error(
        &v,
        &format!("outcomes[{i}].points[1].texture"),
        "may not decrease",
    );
}

#[test]
fn a_relapse_may_not_raise_the_effect() {
    let mut v = default_value();
    let i = outcome_index(&v, "oral-tranexamic-acid", "melasma");
    v["outcomes"][i]["relapse"]["pigment"]["high"] = json!(0.9);
    expect_error(
        &v,
        &format!("outcomes[{i}].relapse.pigment"),
        "a relapse can only lower the effect",
    );
}

#[test]
fn an_uncontrolled_curve_above_the_controlled_evidence_is_rejected() {
    let mut v = default_value();
    let i = outcome_index(&v, "microdermabrasion", "atrophic-acne-scars");
    // The old band: typical 0.48 from an uncontrolled series, above fractional CO2's 0.329.
    v["outcomes"][i]["points"][0]["texture"] = json!({"low": 0.24, "typical": 0.48, "high": 0.48});
    expect_error(
        &v,
        &format!("outcomes[{i}].points[0].texture.typical"),
        "the typical texture value 0.48 of this `weak` curve is above 0.329, the best high of \
         a moderate or strong curve for `atrophic-acne-scars`",
    );
    let error = load(&v).unwrap_err();
    assert_eq!(error.issues().len(), 1, "{error}");
    // An assumption is held to the same rule.
    let mut a = default_value();
    let j = outcome_index(&a, "microneedling-stem-cell", "atrophic-acne-scars");
    a["outcomes"][j]["points"][0]["texture"] = json!({"low": 0.0, "typical": 0.33, "high": 0.66});
    expect_error(
        &a,
        &format!("outcomes[{j}].points[0].texture.typical"),
        "of this `assumption` curve is above 0.329",
    );
    // A stated reason lets it through; an empty one does not.
    v["outcomes"][i]["above_controlled"] = json!("a named reason");
    assert!(load(&v).is_ok());
    v["outcomes"][i]["above_controlled"] = json!(" ");
    expect_error(
        &v,
        &format!("outcomes[{i}].above_controlled"),
        "must not be empty",
    );
}

#[test]
fn an_assumed_relapse_needs_the_widest_band() {
    let mut v = default_value();
    let i = outcome_index(&v, "hydroquinone-triple", "melasma");
    v["outcomes"][i]["relapse"]["pigment"]["high"] = json!(0.5);
    expect_error(
        &v,
        &format!("outcomes[{i}].relapse.pigment"),
        "must be the widest band: low 0 and high 0.64",
    );
    // A measured relapse may be narrower.
    v["outcomes"][i]["relapse"]["assumption"] = json!(false);
    assert!(load(&v).is_ok());
}

#[test]
fn channels_must_match_the_concern() {
    let mut v = default_value();
    let i = outcome_index(&v, "oral-tranexamic-acid", "melasma");
    v["outcomes"][i]["points"][0]["texture"] = json!({"low": 0.1, "typical": 0.1, "high": 0.1});
    let error = load(&v).unwrap_err().to_string();
    assert!(
        error.contains(&format!("outcomes[{i}].points[0].texture")),
        "{error}"
    );
    assert!(
        error.contains("does not show up in the texture channel"),
        "{error}"
    );
}

#[test]
fn a_gap_may_not_contradict_an_outcome() {
    let mut v = default_value();
    v["gaps"][0]["treatments"] = json!(["oral-tranexamic-acid"]);
    expect_error(&v, "gaps[0]", "has an outcome and is also listed as a gap");
}

#[test]
fn a_bad_doi_is_rejected() {
    let mut v = default_value();
    let i = outcome_index(&v, "stem-cell-topical", "atrophic-acne-scars");
    v["outcomes"][i]["citations"][1]["doi"] = json!("https://doi.org/10.1080/x");
    expect_error(
        &v,
        &format!("outcomes[{i}].citations[1].doi"),
        "does not look like a DOI",
    );
}

#[test]
fn wrong_types_and_unknown_fields_name_the_path() {
    let mut v = default_value();
    v["outcomes"][2]["points"][0]["week"] = json!("twelve");
    let error = load(&v).unwrap_err();
    assert!(matches!(error, ProfileError::Parse { .. }));
    assert!(
        error.to_string().contains("outcomes[2].points[0].week"),
        "{error}"
    );

    let mut v = default_value();
    v["outcomes"][1]["points"][0]["texture"]["tipical"] = json!(0.2);
    let error = load(&v).unwrap_err().to_string();
    assert!(error.contains("outcomes[1].points[0].texture"), "{error}");
    assert!(error.contains("tipical"), "{error}");

    let mut v = default_value();
    v["outcomes"][0]["grade"] = json!("excellent");
    let error = load(&v).unwrap_err().to_string();
    assert!(error.contains("outcomes[0].grade"), "{error}");
}

#[test]
fn every_problem_is_reported_at_once() {
    let mut v = default_value();
    v["outcomes"][0]["concern"] = json!("nope");
    v["treatments"][2]["id"] = json!("Bad Id");
    v["schema_version"] = json!(7);
    let error = load(&v).unwrap_err();
    assert!(error.issues().len() >= 3, "{error}");
    let message = error.to_string();
    assert!(message.contains("schema_version"));
    assert!(message.contains("treatments[2].id"));
}

#[test]
fn trailing_garbage_and_empty_input_are_rejected() {
    assert!(Profile::from_json(&format!("{DEFAULT_PROFILE_JSON} {{}}")).is_err());
    assert!(Profile::from_json("").is_err());
    assert!(Profile::from_json("null").is_err());
    assert!(Profile::from_json("[]").is_err());
    let huge = " ".repeat(skin_preview::evidence::MAX_PROFILE_BYTES + 1);
    assert!(matches!(
        Profile::from_json(&huge),
        Err(ProfileError::TooLarge { .. })
    ));
}

// ---------------------------------------------------------------- fuzz-ish

/// Characters that make JSON-looking junk.
const JUNK: &[u8] = b"{}[]\",:0123456789.eE-+ ntrufalsx\\\n";

/// Small deterministic generator (SplitMix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn number(&mut self) -> f64 {
        const SPECIAL: [f64; 10] = [
            0.0, -0.0, 1.0, -1.0, 0.5, 1e308, -1e308, 520.0, 521.0, 1e-300,
        ];
        if self.below(3) == 0 {
            SPECIAL[self.below(SPECIAL.len())]
        } else {
            (self.next() as f64 / u64::MAX as f64) * 4.0 - 1.5
        }
    }
}

/// Exercise a loaded profile the way the page and CLI would.
fn exercise(profile: &Profile, rng: &mut Rng) {
    let _ = listing_text(profile);
    let _ = serde_json::to_string(profile).unwrap();
    for o in profile.outcomes() {
        for _ in 0..8 {
            let week = rng.number() * 150.0;
            for s in Scenario::ALL {
                let p = o.fractions_at(week, s);
                for c in Channel::ALL {
                    let v = p.channel(c);
                    assert!((0.0..=1.0).contains(&v), "fraction {v} out of range");
                }
            }
        }
    }
    for t in profile.treatments() {
        let _ = profile.risk_warnings(&t.id, rng.number() * 90.0);
    }
}

/// Replace a random number somewhere in the tree.
fn mutate_value(value: &mut Value, rng: &mut Rng) -> bool {
    match value {
        Value::Number(_) => {
            *value = serde_json::Number::from_f64(rng.number()).map_or(Value::Null, Value::Number);
            true
        }
        Value::Array(items) if !items.is_empty() => {
            let i = rng.below(items.len());
            match rng.below(10) {
                0 => {
                    items.remove(i);
                    true
                }
                1 => {
                    let copy = items[i].clone();
                    items.push(copy);
                    true
                }
                _ => mutate_value(&mut items[i], rng),
            }
        }
        Value::Object(map) if !map.is_empty() => {
            let keys: Vec<String> = map.keys().cloned().collect();
            let key = &keys[rng.below(keys.len())];
            match rng.below(12) {
                0 => {
                    map.remove(key);
                    true
                }
                1 => {
                    map.insert(key.clone(), Value::String("x".into()));
                    true
                }
                _ => mutate_value(map.get_mut(key).unwrap(), rng),
            }
        }
        Value::String(text) => {
            *text = ["", "a b", "UPPER", "x-", "--", "10.", "abc"][rng.below(7)].to_owned();
            true
        }
        _ => false,
    }
}

#[test]
fn mutated_and_garbage_json_never_panics() {
    let mut rng = Rng(0x5EED_0F5C_1E00);
    let base = default_value();
    let mut accepted = 0;
    let mut rejected = 0;

    // Structural mutations of the real profile.
    for _ in 0..600 {
        let mut v = base.clone();
        for _ in 0..=rng.below(3) {
            mutate_value(&mut v, &mut rng);
        }
        match load(&v) {
            Ok(p) => {
                accepted += 1;
                exercise(&p, &mut rng);
            }
            Err(e) => {
                rejected += 1;
                assert!(!e.to_string().is_empty());
            }
        }
    }

    // Byte-level damage to the text.
    let bytes = DEFAULT_PROFILE_JSON.as_bytes();
    for _ in 0..400 {
        let mut text = bytes.to_vec();
        match rng.below(4) {
            0 => text.truncate(rng.below(text.len())),
            1 => {
                let at = rng.below(text.len());
                let len = rng.below(200).min(text.len() - at);
                text.drain(at..at + len);
            }
            2 => {
                let at = rng.below(text.len());
                let junk: Vec<u8> = (0..rng.below(20))
                    .map(|_| JUNK[rng.below(JUNK.len())])
                    .collect();
                text.splice(at..at, junk);
            }
            _ => {
                let (a, b) = (rng.below(text.len()), rng.below(text.len()));
                text.swap(a, b);
            }
        }
        let text = String::from_utf8_lossy(&text);
        if let Ok(p) = Profile::from_json(&text) {
            exercise(&p, &mut rng);
        }
    }

    // Pure garbage, including deep nesting.
    for _ in 0..300 {
        let len = rng.below(300);
        let garbage: String = (0..len)
            .map(|_| char::from(JUNK[rng.below(JUNK.len())]))
            .collect();
        assert!(Profile::from_json(&garbage).is_err());
    }
    let deep = "[".repeat(100_000);
    assert!(Profile::from_json(&deep).is_err());
    let deep_object = format!("{}{}", "{\"a\":".repeat(10_000), "1");
    assert!(Profile::from_json(&deep_object).is_err());

    assert!(
        rejected > 100,
        "mutations should mostly be caught ({rejected})"
    );
    let _ = accepted;
}
