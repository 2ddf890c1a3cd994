"""Write src/efh_screen/data/default_weights.json (the embedded default weightings).

The points are expert judgement informed by the references below; they are
illustrative and NOT validated on local data. Run from the repository root:

    python scripts/make_default_weights.py
"""

from __future__ import annotations

import json
from pathlib import Path

REFERENCES = {
    "felitti1998": {
        "citation": "Felitti VJ, Anda RF, Nordenberg D, et al. Relationship of childhood abuse "
        "and household dysfunction to many of the leading causes of death in adults: the "
        "Adverse Childhood Experiences (ACE) Study. Am J Prev Med. 1998;14(4):245-258.",
        "finding": "Defines the ACE categories and shows a graded (dose-response) relationship "
        "between the number of ACEs and later harm.",
    },
    "bellis2014_england": {
        "citation": "Bellis MA, Hughes K, Leckenby N, Perkins C, Lowey H. National household "
        "survey of adverse childhood experiences and their relationship with resilience to "
        "health-harming behaviors in England. BMC Medicine. 2014;12:72.",
        "finding": "About 47% of adults in England reported at least one ACE and about 8-9% "
        "four or more; four or more ACEs were associated with several-fold higher adjusted "
        "odds of violence perpetration and victimisation in the past year and of "
        "incarceration, compared with none.",
    },
    "phw2015_wales": {
        "citation": "Bellis MA, Ashton K, Hughes K, et al. Welsh Adverse Childhood Experiences "
        "(ACE) Study: Adverse Childhood Experiences and their impact on health-harming "
        "behaviours in the Welsh adult population. Public Health Wales; 2015.",
        "finding": "Compared with no ACEs, people with four or more were reported as about 14 "
        "times more likely to have been a victim of violence and about 15 times more likely to "
        "have committed violence in the last 12 months (unadjusted headline figures).",
    },
    "bellis2017_trusted_adult": {
        "citation": "Bellis MA, Hardcastle K, Ford K, et al. Does continuous trusted adult "
        "support in childhood impart life-course resilience against adverse childhood "
        "experiences - a retrospective study on adult health-harming behaviours and mental "
        "well-being. BMC Psychiatry. 2017;17:110.",
        "finding": "Always having a trusted adult in childhood was associated with lower "
        "prevalence of health-harming behaviours among people with ACEs.",
    },
    "timpson2019": {
        "citation": "Timpson E. Timpson Review of School Exclusion. Department for Education; "
        "2019.",
        "finding": "Exclusion and alternative provision are associated with later involvement "
        "in crime and vulnerability to exploitation; children with SEN and some ethnic groups "
        "are over-represented among excluded pupils.",
    },
    "cspr2020_hard_to_escape": {
        "citation": "Child Safeguarding Practice Review Panel. It was hard to escape: "
        "Safeguarding children at risk from criminal exploitation. 2020.",
        "finding": "Exclusion from school was a trigger point for criminal exploitation in the "
        "reviewed cases; going missing, and earlier missed opportunities, recurred.",
    },
    "bryan2007_slcn": {
        "citation": "Bryan K, Freer J, Furlong C. Language and communication difficulties in "
        "juvenile offenders. Int J Lang Commun Disord. 2007;42(5):505-520.",
        "finding": "Speech, language and communication needs are far more common among young "
        "people in the youth justice system than in the general population.",
    },
    "dfe_working_together_2023": {
        "citation": "HM Government. Working Together to Safeguard Children 2023: statutory "
        "guidance (extra-familial harm).",
        "finding": "Child sexual and criminal exploitation, trafficking and serious youth "
        "violence are extra-familial harms needing a multi-agency safeguarding response.",
    },
    "cunningham2015_reinjury": {
        "citation": "Cunningham RM, Carter PM, Ranney M, Zimmerman MA, Blow FC, Booth BM, "
        "Goldstick J, Walton MA. Violent reinjury and mortality among youth seeking emergency "
        "department care for assault-related injury: a 2-year prospective cohort study. JAMA "
        "Pediatr. 2015;169(1):63-70.",
        "finding": "Young people treated in an emergency department for an assault injury had "
        "almost twice the risk of a further violent injury needing emergency care within two "
        "years as comparable young people attending for other reasons (36.7% against 22.4%; "
        "relative risk 1.65).",
    },
    "wortley2021_teachable_moment": {
        "citation": "Wortley E, Hagell A. Young victims of youth violence: using youth workers "
        "in the emergency department to facilitate 'teachable moments' and to improve access "
        "to services. Arch Dis Child Educ Pract Ed. 2021;106(1):53-59.",
        "finding": "A rapid review and two UK practice examples (including hospital-based youth "
        "work of the kind Redthread provides): the emergency department attendance after a "
        "violent injury is an opportunity to screen and intervene to reduce repeat "
        "attendances, a 'teachable moment'.",
    },
    "moffitt1993": {
        "citation": "Moffitt TE. Adolescence-limited and life-course-persistent antisocial "
        "behavior: a developmental taxonomy. Psychol Rev. 1993;100(4):674-701.",
        "finding": "Antisocial behaviour that starts early and persists and worsens across "
        "development marks a smaller group at higher risk of serious and persistent offending "
        "than behaviour confined to adolescence: the course over time carries information.",
    },
    "local_audit_2023": {
        "citation": "Multi-agency thematic audit of six young people harmed by serious youth "
        "violence, and learning event, local safeguarding children partnership, January 2023.",
        "finding": "All six shared low attendance, exclusion and alternative provision, "
        "domestic abuse at home, frequent moves, ADHD and speech and language needs, missed "
        "health appointments, challenging behaviour at home and low-level criminality "
        "concerns; no agency saw the whole picture.",
    },
    "borum2006_savry": {
        "citation": "Borum R, Bartel P, Forth A. Structured Assessment of Violence Risk in Youth "
        "(SAVRY): Professional Manual. Lutz, FL: Psychological Assessment Resources; 2006.",
        "finding": "SAVRY's 24 risk items (10 historical, 6 social and contextual, 8 "
        "individual) and 6 protective items include the young person's history of violence, "
        "early caregiver disruption, poor school achievement and peer delinquency. It is a "
        "structured professional judgement tool: its items are weighed by a person, not summed.",
    },
    "lipsey_derzon1998": {
        "citation": "Lipsey MW, Derzon JH. Predictors of violent or serious delinquency in "
        "adolescence and early adulthood: a synthesis of longitudinal research. In: Loeber R, "
        "Farrington DP, eds. Serious and Violent Juvenile Offenders: Risk Factors and "
        "Successful Interventions. Thousand Oaks, CA: Sage; 1998:86-105.",
        "finding": "Across longitudinal studies, the young person's own earlier offending and "
        "aggression were among the strongest predictors of later violent or serious offending; "
        "in early adolescence, antisocial peers and weak social ties were the strongest.",
    },
    "laming2016_in_care": {
        "citation": "Prison Reform Trust. In Care, Out of Trouble: how the life chances of "
        "children in care can be transformed by protecting them from unnecessary involvement "
        "in the criminal justice system. An independent review chaired by Lord Laming. "
        "London: Prison Reform Trust; 2016.",
        "finding": "Looked-after children are over-represented in the youth justice system; "
        "part of this comes from behaviour in care being criminalised (the police called to "
        "incidents a family would manage at home), not from the children alone.",
    },
    "moj_dfe2022_social_care_offending": {
        "citation": "Ministry of Justice, Department for Education. Education, children's "
        "social care and offending: descriptive statistics. March 2022.",
        "finding": "Linking pupil and police records for whole cohorts, children cautioned or "
        "sentenced for an offence, serious violence offences included, were far more likely "
        "than other pupils to have been children in need or looked after, and had far higher "
        "rates of earlier suspension, permanent exclusion and persistent absence (descriptive "
        "statistics, not causes).",
    },
    "moj_dfe2016_young_offenders": {
        "citation": "Ministry of Justice, Department for Education. Understanding the "
        "educational background of young offenders: joint experimental statistical report. "
        "December 2016.",
        "finding": "Young offenders had much lower attainment at key stages 2 and 4 than their "
        "peers, and more often had special educational needs, free school meals, persistent "
        "absence and exclusions.",
    },
    "firmin2017_contextual": {
        "citation": "Firmin C. Contextual Safeguarding: an overview of the operational, "
        "strategic and conceptual framework. Luton: University of Bedfordshire; 2017.",
        "finding": "Harm to young people outside the family happens in contexts (peer groups, "
        "schools, neighbourhoods and public places, online) that parents cannot control; "
        "safeguarding should assess and change those contexts, not only work with the child "
        "and family.",
    },
    "firmin2020_rewriting": {
        "citation": "Firmin C. Contextual Safeguarding and Child Protection: Rewriting the "
        "Rules. Abingdon: Routledge; 2020.",
        "finding": "Responses to extra-familial harm that focus on individual children and "
        "their families miss the peer groups, places and online spaces where the harm happens; "
        "sets out how to assess and intervene in those contexts.",
    },
    "domestic_abuse_act_2021": {
        "citation": "Domestic Abuse Act 2021 (c. 17), sections 1 to 3.",
        "finding": "Domestic abuse is abusive behaviour between people aged 16 or over who are "
        "personally connected, partners and relatives included; a child who sees, hears or "
        "experiences its effects is a victim in their own right.",
    },
    "barter2009_teenage_relationships": {
        "citation": "Barter C, McCarry M, Berridge D, Evans K. Partner exploitation and "
        "violence in teenage intimate relationships. London: NSPCC; 2009.",
        "finding": "A substantial minority of teenagers in relationships reported physical, "
        "emotional or sexual violence from a partner; girls reported the more severe and "
        "lasting harm.",
    },
    "home_office2018_serious_violence": {
        "citation": "HM Government. Serious Violence Strategy. Home Office; April 2018.",
        "finding": "The government's strategy on knife crime, gun crime and homicide sets out "
        "risk and protective factors for serious violence, describes social media as one of the "
        "factors that can escalate conflict between young people into serious violence, and "
        "puts early intervention and prevention, by police, local authorities, health and "
        "education partners together, at the centre of the response.",
    },
    "amnesty2018_trapped_in_the_matrix": {
        "citation": "Amnesty International UK. Trapped in the Matrix: Secrecy, stigma, and bias "
        "in the Met's Gangs Database. London: Amnesty International UK; May 2018.",
        "finding": "78% of the people on the Metropolitan Police's Gangs Matrix were black, "
        "against 27% of those the Met itself identified as responsible for serious youth "
        "violence; people were added on loose grounds such as association, music videos or "
        "social media, and victims of violence were listed alongside suspects.",
    },
    "williams_clarke2016_dangerous_associations": {
        "citation": "Williams P, Clarke B. Dangerous associations: Joint enterprise, gangs and "
        "racism. An analysis of the processes of criminalisation of Black, Asian and minority "
        "ethnic individuals. London: Centre for Crime and Justice Studies; January 2016.",
        "finding": "Police gang lists in the areas studied were made up overwhelmingly of young "
        "Black and minority ethnic men, out of proportion to their part in serious youth "
        "violence; the gang label rests on loose ideas of association and feeds further "
        "criminalisation.",
    },
    "ico2018_gangs_matrix": {
        "citation": "Information Commissioner's Office. Enforcement notice to the Commissioner of "
        "Police of the Metropolis (the Gangs Matrix), issued under the Data Protection Act "
        "2018; November 2018.",
        "finding": "The Met's use of the Gangs Matrix breached data protection law: it did not "
        "clearly tell victims from perpetrators, information was shared with other bodies "
        "without adequate controls, and its effect on some communities had not been properly "
        "assessed.",
    },
    "dfe_send_code2015": {
        "citation": "Department for Education, Department of Health. Special educational needs "
        "and disability code of practice: 0 to 25 years. January 2015.",
        "finding": "SEN support is the school's graduated response (assess, plan, do, review) "
        "to a child's special educational needs, whose broad areas include communication and "
        "interaction, cognition and learning, and social, emotional and mental health "
        "difficulties; an EHC plan sets out the provision a child needs.",
    },
    "equality_act2010": {
        "citation": "Equality Act 2010 (c. 15), section 6 (disability) and section 149 (public "
        "sector equality duty).",
        "finding": "Disability is a protected characteristic; public bodies must have due "
        "regard to eliminating discrimination against disabled people and advancing their "
        "equality of opportunity.",
    },
}

ACE = ["felitti1998", "bellis2014_england"]


def p(points: int, rationale: str, *evidence: str) -> dict[str, object]:
    """Return one indicator's entry: points, rationale and evidence reference ids."""
    return {"points": points, "rationale": rationale, "evidence": list(evidence)}


POINTS = {
    "emotional_abuse": p(1, "One ACE category: one point.", *ACE),
    "physical_abuse": p(1, "One ACE category: one point.", *ACE),
    "sexual_abuse": p(1, "One ACE category: one point.", *ACE),
    "emotional_neglect": p(1, "One ACE category: one point.", *ACE),
    "physical_neglect": p(1, "One ACE category: one point.", *ACE),
    "domestic_abuse": p(2, "ACE category found in all six audited cases; two points.",
                        *ACE, "local_audit_2023"),
    "household_substance_misuse": p(1, "One ACE category: one point.", *ACE),
    "household_mental_illness": p(1, "One ACE category: one point.", *ACE),
    "parental_separation": p(1, "One ACE category: one point.", *ACE),
    "household_imprisonment": p(1, "One ACE category: one point.", *ACE),
    "ace_count_4_plus": p(3, "Four or more ACEs carry a step-up in the association with "
                          "violence beyond the count itself; three extra points.",
                          "bellis2014_england", "phw2015_wales"),
    "persistent_absence": p(2, "Low attendance was common to all six audited cases.",
                            "local_audit_2023"),
    "severe_absence": p(2, "Severe absence adds to persistent absence (four in all).",
                        "local_audit_2023"),
    "suspension_recent": p(1, "A recent suspension.", "timpson2019", "local_audit_2023"),
    "suspensions_repeated": p(2, "A pattern of suspensions over the recent window.",
                              "timpson2019", "local_audit_2023"),
    "suspension_earlier": p(1, "A suspension earlier in the history window, before the recent "
                            "window: exclusion marks a higher risk of becoming a victim or "
                            "perpetrator of crime, and the audited cases showed exclusion as a "
                            "pattern over time, not only in the last year. One point; suspensions "
                            "in the recent window are scored by their own indicators, never "
                            "twice.", "timpson2019", "moj_dfe2022_social_care_offending",
                            "local_audit_2023"),
    "permanent_exclusion": p(3, "Permanent exclusion is a recognised trigger point for "
                             "criminal exploitation.", "cspr2020_hard_to_escape", "timpson2019"),
    "alternative_provision": p(2, "Alternative provision featured in the audited cases.",
                               "timpson2019", "local_audit_2023"),
    "frequent_moves": p(2, "Regular moves featured in all audited cases.", "local_audit_2023"),
    "cross_borough_move": p(1, "Cross-borough moves delayed access to history.",
                            "local_audit_2023"),
    "missed_health_appointments": p(1, "Patterns of not being brought to appointments.",
                                    "local_audit_2023"),
    "not_registered_gp": p(1, "One audited young person was not registered with a GP, so "
                           "health information could not be shared.", "local_audit_2023"),
    "missing_recent": p(2, "Going missing is a key indicator of exploitation.",
                        "cspr2020_hard_to_escape"),
    "missing_repeated": p(2, "Repeated missing episodes add to a recent one.",
                          "cspr2020_hard_to_escape"),
    "police_contact_recent": p(2, "Low-level criminality concerns featured in the audited "
                               "cases.", "local_audit_2023"),
    "police_contact_repeated": p(1, "Repeated police contact adds to a recent one.",
                                 "local_audit_2023"),
    "police_contact_earlier": p(1, "Police contact earlier in the history window, before the "
                                "recent window: the audited cases showed lower-level criminality "
                                "concerns at different times. One point, half a recent contact's; "
                                "recent contacts are scored by their own indicators, never twice.",
                                "local_audit_2023", "moj_dfe2022_social_care_offending"),
    "violence_victim_recent": p(3, "Victims of violence are at raised risk of further "
                                "violence.", "phw2015_wales"),
    "serious_violence": p(4, "Seriously hurt by violence in the history window - a knife or "
                          "gun, a serious injury, or hospital emergency care after an assault - "
                          "however it was recorded. Young people treated for assault injuries "
                          "face a much higher risk of being hurt again, and the hospital "
                          "attendance is the reachable moment the audit's partners missed. Four "
                          "points, as a weapon incident; also an override.",
                          "cunningham2015_reinjury", "wortley2021_teachable_moment",
                          "home_office2018_serious_violence", "local_audit_2023"),
    "weapon_incident": p(4, "Weapon involvement is a direct marker of serious youth violence "
                         "risk.", "dfe_working_together_2023"),
    "gang_association": p(2, "A gang association concern on its own: two points, like a peer "
                          "association concern. Police gang labels have been applied to young "
                          "Black men out of proportion and on loose grounds, so the label alone "
                          "weighs less than before and does not override.",
                          "dfe_working_together_2023", "amnesty2018_trapped_in_the_matrix",
                          "williams_clarke2016_dangerous_associations"),
    "gang_association_corroborated": p(2, "The concern is also recorded by an agency other "
                                       "than the police: two more points (four in all, as in "
                                       "1.1.0) and an override to review.",
                                       "dfe_working_together_2023",
                                       "amnesty2018_trapped_in_the_matrix",
                                       "ico2018_gangs_matrix"),
    "child_sexual_exploitation": p(5, "A known exploitation concern; also an override.",
                                   "dfe_working_together_2023"),
    "child_criminal_exploitation": p(5, "A known exploitation concern; also an override.",
                                     "dfe_working_together_2023", "cspr2020_hard_to_escape"),
    "trafficking": p(5, "A known trafficking concern; also an override.",
                     "dfe_working_together_2023"),
    "substance_misuse": p(2, "The child's own substance misuse.", "dfe_working_together_2023"),
    "self_harm": p(2, "Self-harm indicates distress needing a response.",
                   "dfe_working_together_2023"),
    "challenging_behaviour_home": p(2, "Challenging behaviour at home featured in the audited "
                                    "cases.", "local_audit_2023"),
    "peer_concerns": p(2, "Associations with exploitative peers.", "dfe_working_together_2023"),
    "escalation": p(2, "More incidents recently than before: the picture is worsening.",
                    "cspr2020_hard_to_escape"),
    "rising_trajectory": p(2, "More incidents in each of the last three years than in the year "
                           "before: a worsening course sustained over years, the trajectory the "
                           "audit asked partners to read. Two points, as escalation (a rise over "
                           "six months), which can apply as well.", "moffitt1993",
                           "local_audit_2023"),
    "adhd": p(1, "ADHD featured in the audited cases; plans did not connect it to support.",
              "local_audit_2023"),
    "speech_language_needs": p(1, "Speech and language needs are over-represented in youth "
                               "justice and featured in the audited cases.", "bryan2007_slcn",
                               "local_audit_2023"),
    "learning_disability": p(1, "A developmental need that plans should connect to support.",
                             "local_audit_2023"),
    "mental_health_needs": p(1, "A developmental need that plans should connect to support.",
                             "local_audit_2023"),
    "sen_support": p(1, "SEN support or an EHC plan; over-represented among excluded pupils.",
                     "timpson2019"),
    "domestic_abuse_of_child": p(2, "The child is being harmed by someone close to them (in "
                                 "their own relationship or by a family member): weighted like "
                                 "domestic abuse in the household.", "domestic_abuse_act_2021",
                                 "barter2009_teenage_relationships", "dfe_working_together_2023"),
    "violence_history": p(3, "The child's own past violence is SAVRY's first historical item "
                          "and among the strongest predictors of later violence. Three points, "
                          "one below a weapon-related incident: much of it is minor, and what "
                          "the police record carries their recording bias.",
                          "borum2006_savry", "lipsey_derzon1998"),
    "care_experience": p(1, "Looked-after and care-experienced children are over-represented "
                         "in youth justice and targeted for exploitation. One point only: much "
                         "of the association runs through the abuse and neglect already scored, "
                         "and through behaviour in care being criminalised, which a screen "
                         "should not amplify.", "laming2016_in_care",
                         "moj_dfe2022_social_care_offending"),
    "early_caregiver_disruption": p(0, "Recorded, not scored: a SAVRY historical item that "
                                    "overlaps parental separation (an ACE) and care "
                                    "experience, both scored. Recorded so the review sees the "
                                    "early history.", "borum2006_savry"),
    "poor_school_achievement": p(0, "Recorded, not scored: low attainment is a SAVRY item and "
                                 "common among young offenders, but it follows from needs the "
                                 "screen already records (attendance, exclusion, SEN support), "
                                 "so scoring it would count needs twice and raise flags for "
                                 "disabled children. Recorded so the plan addresses learning.",
                                 "borum2006_savry", "moj_dfe2016_young_offenders"),
    "place_concerns": p(0, "Recorded, not scored: contextual safeguarding acts on the place, "
                        "not on the children found there, and scoring where a child lives or "
                        "spends time would stand in for neighbourhood deprivation and "
                        "ethnicity. Recorded so the review can refer the place.",
                        "firmin2017_contextual", "firmin2020_rewriting",
                        "dfe_working_together_2023"),
    "online_contact_concerns": p(2, "Grooming for sexual and criminal exploitation, and threats "
                                 "that escalate into violence, often happen online: a known "
                                 "concern about online contact is an extra-familial harm, "
                                 "weighted like concerns about the peer group.",
                                 "dfe_working_together_2023", "firmin2020_rewriting",
                                 "home_office2018_serious_violence"),
    "trusted_adult": p(-2, "A trusted adult is associated with resilience against ACEs.",
                       "bellis2017_trusted_adult", "local_audit_2023"),
    "engaged_family_network": p(-2, "An engaged family network supports safety planning.",
                                "local_audit_2023"),
    "positive_school_relationship": p(-1, "A positive relationship with school.",
                                      "timpson2019"),
    "prosocial_activity": p(-1, "Regular prosocial activity.", "local_audit_2023"),
    "mentor": p(-1, "A chosen mentor or lead worker.", "local_audit_2023"),
    "engages_with_support": p(-1, "Engagement with offered support.", "local_audit_2023"),
}  # fmt: skip

WEIGHTS = {
    "name": "efh-default",
    # 2.0.0: the whole Children in Need census and the items practitioners expect; serious
    # violence however it was recorded; earlier history and a rising trajectory; the needs
    # cap, corroborated gang labels and the coverage rule (docs/weights.md, "Versions").
    "version": "2.0.0",
    "status": "illustrative",
    "description": (
        "Evidence-informed, ILLUSTRATIVE weightings. Points translate published associations "
        "and the local audit's findings into small whole numbers by expert judgement. They "
        "have NOT been validated on local data: validate them (efh-screen validate) and "
        "re-fit or adjust them before any operational use. A flag is a prompt for an "
        "early-help review by a person, never a decision."
    ),
    "points": POINTS,
    "bands": [
        {"key": "no_concern", "label": "no concern indicated", "min_score": 0, "flag": False},
        {"key": "consider_review", "label": "consider early-help review", "min_score": 6,
         "flag": True},
        {"key": "priority_review", "label": "priority review", "min_score": 12, "flag": True},
    ],
    "overrides": [
        {"indicator": "child_sexual_exploitation", "band": "priority_review",
         "reason": "A known sexual exploitation concern always needs a person's review."},
        {"indicator": "child_criminal_exploitation", "band": "priority_review",
         "reason": "A known criminal exploitation concern always needs a person's review."},
        {"indicator": "trafficking", "band": "priority_review",
         "reason": "A known trafficking concern always needs a person's review."},
        {"indicator": "weapon_incident", "band": "consider_review",
         "reason": "A weapon-related incident always merits a review."},
        {"indicator": "gang_association_corroborated", "band": "consider_review",
         "reason": "A gang association concern that an agency other than the police also "
                   "records always merits a review; a police label alone does not override."},
        {"indicator": "serious_violence", "band": "consider_review",
         "reason": "A child seriously hurt by violence (a knife or gun, a serious injury, or "
                   "hospital emergency care after an assault) always merits a review."},
    ],
    "protective_cap": 4,
    "needs_cap": {
        "points": 2,
        "rationale": (
            "ADHD, speech, language and communication needs, learning disability, mental health "
            "needs and SEN support are needs the plan must support, not risks, and they overlap: "
            "SEN support is the school's response to needs such as the others. A point for each "
            "counted one child's needs several times: ADHD, speech and language needs, SEN "
            "support and a learning disability with persistent absence made 6, a flag. Together "
            "they now add at most 2 points, the weight of one contextual concern such as "
            "persistent absence, so they are seen at review and connected to support, as "
            "the audit asked, without a disabled child being flagged for the needs themselves. "
            "Mental health needs are one of them; acute distress is scored as self-harm."
        ),
        "evidence": ["local_audit_2023", "dfe_send_code2015", "equality_act2010", "timpson2019"],
    },
    "coverage": {
        "min_known_percent": 50,
        "rationale": (
            "A score counts only what is known to be present, so a young person partners have "
            "said little about scores 0 and would read 'no concern indicated'. When less than "
            "half of the risk points the screen can give rest on known information, the case is "
            "'not enough known to screen', listed with the agencies to ask. Half, because in the "
            "sample caseload the typical profile has over nine tenths known and one in twenty "
            "under six tenths: the rule picks out the nearly blank profiles (history held by "
            "another area or agency and not shared) without relabelling ordinary cases. A "
            "flagged case is never demoted. Set the share from local data."
        ),
        "evidence": ["local_audit_2023"],
        "key": "not_enough_known",
        "label": "not enough known to screen",
    },
    "windows": {"recent_days": 365, "escalation_days": 182, "history_days": 1095,
                "health_days": 730, "attendance_days": 365, "trajectory_days": 365},
    "counts": {"repeated_suspensions": 3, "frequent_moves": 3, "missed_appointments": 2,
               "repeated_missing": 3, "repeated_police_contact": 2, "ace_count": 4,
               "trajectory_periods": 3},
    # 1.1.0: several agencies' accounts of a factor resolve to one status. Present if any
    # account says present; absent only from an agency that usually holds the factor.
    "resolution": {"present": "any_account", "absent": "usual_holder"},
    "references": REFERENCES,
    "provenance": {"method": "expert judgement informed by the references", "validated": False},
}  # fmt: skip

if __name__ == "__main__":
    out = Path(__file__).resolve().parent.parent / "src/efh_screen/data/default_weights.json"
    out.write_text(json.dumps(WEIGHTS, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {out}")
