"""A bilingual (German, English) lexicon of the target groups and fields of help of social services, for goal texts.

Where it comes from (docs/SIGNALS.md): the target groups and fields named in the domain brief (shared/domain) and in
German social law and its usual fields of work: SGB II/III (Grundsicherung für Arbeitsuchende, Arbeitsförderung,
Ausbildung), SGB VIII (Kinder- und Jugendhilfe, Frühe Hilfen, Kinderschutz, Kindertagesbetreuung,
Jugendberufshilfe), SGB IX/XI/XII (Teilhabe, Pflege, Hilfe zur Überwindung besonderer sozialer Schwierigkeiten:
Wohnungslosenhilfe), Schuldner- und Suchtberatung, Gewaltschutz, Integration and health; English terms from the
matching UK/US service vocabulary. It is written per field, not per benchmark group.

Pattern syntax: lowercase; "*" stands for any further letters or hyphens (so compounds match: "*ausbildung*" hits
"Ausbildungsplatzsuche" and "Teilzeitberufsausbildung"); a space for spaces or a hyphen; patterns match whole words.
"""

from __future__ import annotations

# Target groups: whom a goal is for. "t." concepts.
TARGETS: dict[str, str] = {
    "t.children": "kind | kinder* | kindes* | *kinder | *kindern | kids | kid | kita* | krippe* | baby* | babys"
                  " | säugling* | kleinkind* | neugeborene* | nachwuchs | mädchen und jungen | jungen und mädchen"
                  " | child | children* | childhood | infant* | toddler* | newborn* | under-fives | under fives"
                  " | under-sixes | preschool* | boys and girls | early years",
    "t.youth": "jugend* | jugendlich* | junge* menschen | junger mensch | junge* leute | junge* erwachsene*"
               " | heranwachsende* | teenager* | teens | u25 | u 25 | schulabgänger* | schulabgang* | azubi*"
               " | auszubildende* | young people | young person | youth* | young adult* | adolescen* | teenage*"
               " | neet | school leaver* | under-25s | under 25s | opportunity youth",
    "t.pupils": "schüler* | schulkind* | *schulkinder | *schüler | schulverweiger* | klasse* | klassenstufe*"
                " | erstklässler* | erstklass* | grundschulkind* | *klässler*"
                " | pupil* | student* | graders | schoolchildren",
    "t.families": "famili* | *familie | *familien | family | families",
    "t.households": "haushalt* | *haushalte | household* | bedarfsgemeinschaft*",
    "t.parents": "eltern* | *eltern | elternteil* | mutter | mütter* | *mütter | vater | väter* | *väter | mama*"
                 " | papa* | parent* | mother* | father* | mum | mums | mom | moms | dad | dads",
    "t.single_parents": "alleinerziehend* | allein erziehen* | ein-eltern* | einelternfamilie* | single parent*"
                        " | lone parent* | single mother* | single father*",
    "t.pregnant": "schwanger* | werdende* eltern | werdende* mütter | wöchnerin* | pregnan* | expectant"
                  " | new parent* | neugeborene*",
    "t.older": "senior* | ältere* | älteren | alte menschen | hochbetagt* | rentner* | rentnerin* | *rente | older*"
               " | elderly | pensioner* | old age | later life",
    "t.care_dependent": "pflegebedürftig* | *pflegebedürftige* | hilfebedürftig im alltag | auf hilfe angewiesen"
                        " | demenz* | menschen mit demenz | people with dementia | dementia | needing care"
                        " | in need of care | frail*",
    "t.carers": "pflegende* angehörige* | angehörige* | carer* | caregiver* | family carer* | looking after someone",
    "t.disabled": "behindert* | *behinderung* | schwerbehindert* | beeinträchtigung* | lernschwierigkeit*"
                  " | rollstuhl* | disabled | disabilit* | special educational needs | send | learning difficult*"
                  " | wheelchair*",
    "t.migrants": "migrant* | migration* | zugewandert* | neuzugewandert* | eingewandert* | zuwander* | ausländer*"
                  " | roma | sinti | sinti und roma | roma-*"
                  " | kaum deutsch | newcomer* | immigrant* | migrants | ethnic minorit*",
    "t.refugees": "geflüchtet* | flüchtling* | *flüchtlinge | fluchtgeschichte | fluchterfahrung | flucht*"
                  " | vorläufig aufgenommen* | asylbereich | schutzberechtigt*"
                  " | asylsuchend* | asylbewerber* | schutzsuchend* | schutzstatus | anerkannte flüchtling*"
                  " | refugee* | asylum seeker* | resettle* | resettlement",
    "t.unemployed": "arbeitslos* | *arbeitslose* | arbeitssuchend* | arbeitsuchend* | erwerbslos* | ohne job"
                    " | ohne arbeit | stellensuchend* | unemploy* | jobless | jobseeker* | job seeker* | out of work"
                    " | workless*",
    "t.long_term_unemployed": "langzeitarbeitslos* | langzeitleistungsbezieh* | arbeitsmarktfern*"
                              " | vermittlungshemmnis* | long-term unemployed | long-term jobless"
                              " | long term unemployed",
    "t.poor": "leistungsberechtigt* | leistungsbezieh* | leistungsbezug* | bürgergeld* | hartz* | sgb-ii* | sgb ii"
              " | grundsicherung* | armut* | arme | armen | armutsgefährdet* | einkommensschwach*"
              " | geringe* einkommen* | geringverdien* | on benefit* | off benefit* | universal credit | low-income"
              " | low income | income eligible | poverty | poor | deprived | disadvantaged | hardship"
              " | troubled famil*",
    "t.homeless": "wohnungslos* | obdachlos* | *obdachlose* | ohne wohnung | ohne festen wohnsitz | auf der straße"
                  " | von der straße | homeless* | rough sleep* | sleeping rough | street homeless* | on the streets",
    "t.tenants": "mieter* | mietpartei* | *mieter | mieterhaushalt* | tenant* | renter*",
    "t.indebted": "verschuldet* | überschuldet* | schuldner* | *schuldner | zahlungsunfähig* | in debt | indebted"
                  " | debtor* | debt problem* | unmanageable debt | with debt*",
    "t.addicted": "suchtkrank* | suchtgefährdet* | drogenabhängig* | alkoholabhängig* | suchtproblem* | konsument*"
                  " | riskant* konsum* | riskant* alkoholkonsum* | problematisch* konsum* | alkoholproblem*"
                  " | addict* | drug user* | drinking problem* | drug problem* | substance misuse | risky drinking"
                  " | harmful drinking",
    "t.mentally_ill": "psychisch* krank* | psychisch* erkrankt* | psychose* | depressi* | seelisch* | psychiatri*"
                      " | mentally ill | mental illness* | mental health problem* | mental health condition*",
    "t.patients": "patient* | *patienten | patientin* | patients",
    "t.women": "frau | frauen* | *frauen | mädchen | mutter | mütter* | *mütter | women | woman | girls | mother*"
               " | mum | mums | mom | moms",
    "t.victims": "gewaltbetroffen* | betroffene* von gewalt | opfer* | geschädigte* | victim* | survivor*",
    "t.offenders": "täter* | straftäter* | straffällig* | inhaftiert* | haftentlassen* | perpetrator* | offender*"
                   " | first-time entrant* | prisoner* | ex-offender*",
    "t.care_leavers": "careleaver* | care leaver* | care-leaver* | care-experienced | care experienced"
                      " | looked-after | looked after | in care | pflegekind* | heimkind* | foster care"
                      " | foster child* | foster famil* | foster carer* | foster parent* | pflegefamilie*"
                      " | pflegeeltern* | out-of-home care",
    "t.employers": "betrieb | betriebe* | *betriebe | arbeitgeber* | unternehmen | firmen | employer* | business*"
                   " | companies | firms",
    "t.staff": "fachkräfte* | *fachkräfte | fachkraft | mitarbeitende* | mitarbeiter* | personal | beschäftigte*"
               " | erzieher* | erzieherin* | lehrkräfte* | lehrer* | pflegekräfte* | ärzte | ärztinnen | kinderärzt*"
               " | hebamme* | *hebammen | staff | professional* | practitioner* | teacher* | gps | gp | workforce"
               " | nurse | nurses | midwive* | key worker* | employee*",
    "t.volunteers": "ehrenamtlich* | *ehrenamtliche* | freiwillig* | lesepat* | patenschaft* | pate | paten"
                    " | volunteer* | mentor*",
    "t.partners": "netzwerkpartner* | kooperationspartner* | partnerorganisation* | mitgliedsorganisation* | träger"
                  " | einrichtungen | akteure | member organisation* | partner agenc* | agencies"
                  " | safeguarding partner*",
}

# Fields of help and kinds of intended result. "f." concepts.
FIELDS: dict[str, str] = {
    "f.employment": "arbeit | in arbeit | arbeitsplatz* | arbeitsstelle* | arbeitsmarkt* | arbeitsvertrag*"
                    " | arbeitsaufnahme* | beschäftigung* | *beschäftigung | job | jobs | *job | erwerbstätig*"
                    " | erwerbsleben | erwerbstätigkeit* | sozialversicherungspflichtig* | einstellen | einstellung*"
                    " | stellen * ein | stellt * ein | integrationen | lohn | löhne | mindestlohn* | verdienst*"
                    " | budget für arbeit | employ* | unemployment | into work | in work | back to work | paid work"
                    " | find work | return to work | hire | hired | hiring | earning* | wage* | salar* | gehalt"
                    " | gehälter | bezahlung | bezahlt | vergütung* | career* | labour market | labor market | neet",
    "f.training": "*ausbildung* | ausbilden | ausgebildet | lehre | *lehre | lehrstelle* | *lehrstellen"
                  " | berufsabschluss* | *berufsabschluss* | berufsvorbereitung* | berufsorientierung*"
                  " | berufspraktik* | umschulung* | qualifizierung* | azubi* | auszubildende* | apprentice*"
                  " | traineeship* | vocational | training | trained | qualification* | neet",
    "f.education": "schulabschluss* | *abschluss | abschlüsse | abitur | bildungserfolg* | bildungsabschluss*"
                   " | lernen | lesen | mathe* | nachhilfe* | hausaufgabe* | mindeststandard* | schulleistung*"
                   " | attainment | grade level | reading | literacy | numeracy | math* | exam | exams"
                   " | examination* | graduate | school readiness | ready for school | education | learning"
                   " | test score*",
    "f.school_attendance": "schulverweiger* | schulabsentismus | fehltag* | *fehltage | fehlen | unterricht"
                           " | klassenzimmer | zur schule | schulpflicht* | attendance | absence* | truan*"
                           " | excluded from school | school exclusion*",
    "f.childcare": "kitaplatz* | kita-platz* | krippenplatz* | *betreuungsplatz* | kinderbetreuung* | betreuung*"
                   " | *betreuung | randzeit* | tagesmütter | tagesmutter | kindertagespflege* | ganztag* | hort"
                   " | horte | childcare | child care | nursery | day care | daycare | early education place*"
                   " | preschool place* | opening hours",
    "f.language": "deutsch lernen | deutsch sprechen | deutsch | deutschkurs* | sprachkurs* | integrationskurs*"
                  " | sprachförderung* | *sprachförderung | sprachkenntnis* | *sprachkenntnis* | sprachlich*"
                  " | landessprache* | sprachniveau* | a1 | b1 | b2 | a2 | esol | english"
                  " | language course* | language skills",
    "f.housing": "wohnung | wohnungen | *wohnung | wohnraum | *wohnraum | mietwohnung* | sozialwohnung* | zuhause"
                 " | schlafplatz* | schlafplätze | obdachlosigkeit | wohnungslosigkeit | homelessness | rough sleeping"
                 " | apartment* | appartement* | unterkunft | *unterkunft | unterbring* | unterzubringen"
                 " | untergebracht | mietvertrag* | mietverhältnis* | housing first | notschlafpl*"
                 " | übernachtungspl* | notunterkunft* | wohnen | home | homes | housing | housed | accommodation"
                 " | tenanc* | flat | flats | bed | beds | shelter | housing register",
    "f.eviction": "zwangsräumung* | räumung* | räumungsklage* | wohnungsverlust* | mietschulden* | mietrückst*"
                  " | rückstand | evict* | arrears",
    "f.debt": "schulden* | *schulden | schuldnerberatung* | schuldner* | entschuld* | überschuldung* | insolvenz*"
              " | pfändung* | *pfändung* | ratenzahlung* | debt* | insolven*",
    "f.finance": "geld | finanz* | konto | *konto | bankkonto* | härtefallfonds | money | financ* | bank account*"
                 " | basic account* | savings | budget*",
    "f.benefits": "beantrag* | antrag | anträge | anspruch | ansprüche | zustehen | zusteht | inanspruchnahme"
                  " | abrufen | kinderzuschlag* | wohngeld* | elterngeld* | grundsicherung im alter"
                  " | bildungs- und teilhabe* | bildungspaket* | teilhabepaket* | but-leistung* | teilhabebudget*"
                  " | benefits check | entitled | entitlement* | unclaimed | claim | claims | take-up | taking up"
                  " | top-up benefit*",
    "f.energy": "strom* | stromsperre* | energiesperre* | energie* | zähler | gassperre* | heizkosten* | energy"
                " | electricity | power cut* | fuel poverty | heating",
    "f.leisure": "verein | vereine | vereinen | *verein | vereinsmitgliedschaft* | sport* | *sport | kultur*"
                 " | musikschule* | freizeit* | ferienfreizeit* | klassenfahrt* | schwimmkurs* | schwimmen | fußball"
                 " | club | clubs | activities | leisure | swim | swimming | holiday activit*",
    "f.health": "gesundheit* | *gesundheit | gesund | ärztlich* | arzt | *arzt | ärzte | krankenversicher*"
                " | stürzen | stürzt | verletz* | injur* | vaccine* | hpv | clinic | clinics"
                " | versichertenkarte | behandlung* | *behandlung | ambulant* | klinik* | krankenhaus* | therapie*"
                " | therapieplatz* | vorsorge* | *vorsorge | vorsorgeuntersuchung* | u-untersuchung* | u1 | u2 | u3"
                " | u4 | u5 | u6 | u7 | u8 | u9 | j1 | früherkennung* | impf* | zähne | zahn* | karies* | stürze"
                " | sturz* | health* | healthy | treatment* | hospital* | gp* | immunis* | vaccin* | dental | teeth"
                " | falls | life expectancy | well-being | wellbeing",
    "f.mental_health": "psychisch* | psychotherap* | therapieplatz* | psychiatri* | seelisch* | suizid*"
                       " | mentally | mental | depression* | depressiv* | anxiety | angststörung*"
                       " | mental health | mental wellbeing | suicide* | self-harm | emotional health",
    "f.addiction": "sucht | sucht* | alkoholsucht* | drogensucht* | spielsucht* | mediensucht* | alkohol* | drogen*"
                   " | cannabis | kiffen | rauchen | nikotin* | konsum* | addiction* | alcohol* | drug* | drinking"
                   " | substance* | smoking | binge*",
    "f.violence": "gewalt* | *gewalt | gewaltdelikt* | gewaltprävention* | gewaltschutz* | schlägerei*"
                  " | körperverletzung* | messer* | misshandl* | missbrauch* | mobbing | violence | violent | abuse*"
                  " | abusive | assault* | stab wound* | stabbing* | knife crime | bullying | hate crime*",
    "f.domestic_violence": "häusliche* gewalt | partnerschaftsgewalt | frauenhaus* | *frauenhaus* | platzverweis*"
                           " | schutzplatz* | schutzplätze | schutzwohnung* | frauenschutz*"
                           " | gewaltschutz* | domestic abuse | domestic violence | refuge | refuges"
                           " | sanctuary scheme | safe accommodation",
    "f.child_protection": "kinderschutz* | kindeswohl* | kindeswohlgefährdung* | gefährdungsmeldung* | verwahrlos*"
                          " | inobhutnahme* | in obhut genommen | safeguarding | child protection | neglect"
                          " | entering care | enter care | taken into care | children's social care",
    "f.crime": "rückfall* | rückfäll* | kriminalität* | straftat* | *delikt | delinquen* | anti-social behaviour"
               " | straffällig* | gefängnis* | haft | untersuchungshaft | jugendhaft | justizvollzug* | strafvollzug*"
               " | vorstraf*"
               " | antisocial | asb | crime* | offending | reoffend* | re-offend* | offence* | offense* | prison*"
               " | jail | custody | youth justice | detention",
    "f.care": "pflege | *pflege | pflegeberatung* | pflegestützpunkt* | pflegeanfrage* | pflegeplatz* | pflegegrad*"
              " | pflegeheim* | care advice | care home* | social care | home care | care package* | care services",
    "f.respite": "entlastung* | entlasten | auszeit | respite | a break | short break*",
    "f.social_contact": "einsam* | vereinsam* | isoliert* | isolation | begegnung* | begegnen | nachbarschaftstreff*"
                        " | treff | treffpunkt* | besuchsdienst* | kontakt | kontakte | sozialkontakt* | lonel*"
                        " | isolated | befriend* | visitor* | peer group* | social connection* | belonging",
    "f.early_help": "frühe* hilfen | frühen hilfen | willkommensbesuch* | begrüßungsbesuch* | hausbesuch*"
                    " | babylots* | familienhebamme* | early help | early intervention | home visit*"
                    " | welcome visit* | health visit*",
    "f.parenting": "erziehung* | erziehungsberatung* | elternkurs* | elternbildung* | elternberatung*"
                   " | erziehungskompetenz* | parenting*",
    "f.digital": "digital* | smartphone* | online-banking | online* | internet* | computer* | tablet* | e-mail*"
                 " | app | apps | online | digital skills | get online",
    "f.mobility": "fahrdienst* | mobilität* | mobil | öpnv | nahverkehr* | bus | busse | buslinie* | bahn"
                  " | halbstundentakt | stundentakt | taktung | taktverdicht*"
                  " | rufbus* | bürgerbus* | anruf-sammeltaxi | transport* | travel | train* connection*"
                  " | bus connection* | public transport",
    "f.inclusion": "inklusion* | inklusiv* | regelschule* | regel-kita* | regelkita* | förderschul* | mainstream*"
                   " | inclusion | inclusive | special school*",
    "f.awareness": "aufklärung* | sensibilisier* | öffentlichkeitsarbeit | kampagne* | demenzfreundlich* | awareness"
                   " | campaign* | dementia-friendly | stigma | anti-stigma",
    "f.participation": "beirat* | mitbestimm* | mitsprache | beteiligung* | wählen | wahl | wahlen | wahllokal* | vote"
                       " | stimme abgeben | stimmabgabe | wahlrecht* | discriminat* | diskriminier*"
                       " | voting | polling station* | have a say",
    "f.recognition": "anerkennung* | anerkennen | führerschein* | recognition of qualification*",
    "f.food": "hunger* | hungrig | mittagessen | mittagstisch* | mahlzeit* | lebensmittel* | tafel | essen | meals"
              " | frühstück* | schulessen | meal | food* | hungry | breakfast* | lunch club*",
    # wasting food is an environmental goal, not food aid: its own field, beside f.food
    "f.pregnancy": "schwangerschaftsabbr* | teenagerschwanger* | minderjährige* schwangere* | verhütung*"
                   " | conception* | teenage pregnanc* | under-18 conception* | contracepti* | abortion*",
    "f.food_waste": "lebensmittelverschwendung* | verschwend* | wegwerfen | weggeworfen | lebensmittelrett*"
                    " | food waste | waste* | wasted | wasting | surplus food",
    "f.safety": "sicher | sicherer | sicherheit* | unfall* | unfälle* | beleuchtung* | safe | safer | safety"
                " | accident* | road safety",
    "f.one_stop": "aus einer hand | zentrale* anlaufstelle* | anlaufstelle* | lotse* | lotsen | one-stop"
                  " | an einer stelle | von amt zu amt | nur einmal erzählen | single point of contact | front door"
                  " | no wrong door | one place | one point of contact | single referral | tell their story once"
                  " | tell the story once | bounced between services",
    "f.transitions": "übergang | übergänge* | übergangs* | *übergang | *übergänge | transition* | präventionskette*"
                     " | bildungskette* | förderkette* | lückenlos* | nahtlos* | seamless* | without gaps",
    "f.cooperation": "zusammenarbeit | kooperation* | vernetzung* | vernetzen | fallkonferenz* | fallbesprechung*"
                     " | austausch* | tauschen sich | fallverl* | fallberatung* | kooperationsvereinbarung*"
                     " | cooperation | collaboration | co-ordination | coordination | joined-up | case conference*"
                     " | multi-agency | partnership working",
}

# Targets that say who acts rather than whom a goal is for ("Betriebe stellen ... ein"): they count for "whom" but
# not when comparing the goals of a network's partners.
ACTORS = frozenset({"t.employers"})
# Fields about the network's own way of working ("bessere Zusammenarbeit"): they say nothing about what the network
# is for, so a statement naming only them counts neither for nor against a shared goal.
PROCESS = frozenset({"f.cooperation"})

# Broader concepts: a statement naming the narrower one also pursues the broader one (and the other way round).
BROADER: dict[str, tuple[str, ...]] = {
    "t.parents": ("t.families",),
    "t.children": ("t.families",),
    "t.families": ("t.households",),
    "t.tenants": ("t.households",),
    "t.single_parents": ("t.parents",),
    "t.pregnant": ("t.parents",),
    "t.pupils": ("t.children", "t.youth"),
    "t.long_term_unemployed": ("t.unemployed",),
    "t.refugees": ("t.migrants",),
    "t.care_leavers": ("t.youth",),
    "f.eviction": ("f.housing",),
    "f.debt": ("f.finance",),
    "f.energy": ("f.finance",),
    "f.benefits": ("f.finance",),
    "f.mental_health": ("f.health",),
    "f.domestic_violence": ("f.violence",),
    "f.child_protection": ("f.violence",),
    "f.respite": ("f.care",),
}

# Phrases that name a partner, a place or a state of operation, not whom the goal is for or what it wants: removed
# before matching ("gemeinsam mit dem Jobcenter", "together with the local banks", "in Betrieb", "at home").
MASKS = (
    r"\b(?:gemeinsam|zusammen|together|in kooperation|in zusammenarbeit|in partnership|in cooperation)"
    r"\s+(?:mit|with)\s+(?:[\w-]+\s+){0,3}?[\w-]+",
    r"\bin betrieb\b", r"\bat home\b", r"\bzu hause\b",
    # public agencies and services named as actors or partners ("Jugendamt", "Jobcenter"), not as whom
    r"\b(?:jugendamt|jugendämter|jobcenter|sozialamt|gesundheitsamt|schulamt|arbeitsagentur|agentur für arbeit"
    r"|jugendberufsagentur|jugendhilfeausschuss|job ?centres?|jobcentre plus|local authorit(?:y|ies)|council"
    r"|children's services)\w*",
)
