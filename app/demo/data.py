"""What the demo loads: the 2011-2012 action programme, plus a living calendar.

Text is Norwegian, as in the source document (`seed/handlingsprogram-2011-2012.txt`,
a report to the executive committee dated 10 May 2010 with status as of
31 December 2010). Matrix cells keep the document's wording; only line-break
hyphens are joined.

Two kinds of dates appear:

- a `date`: a real date from the document. Where the document names only a
  month or a year, a day was chosen and the description says so (`MONTH_ONLY`,
  `YEAR_ONLY`), so nobody mistakes it for a fact;
- an `int`: days from today (negative: in the past), moved to the nearest
  working day away from today, so the calendar around any "now" is full.

Every item has a slug: reruns find it by slug, never by date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

from app.auth.models import Role
from app.calendar.models import EventStatus, SubmissionState
from app.core.visibility import Visibility
from app.delegations.models import (
    DelegationStatus,
    Direction,
    FollowUpStatus,
    InterestKind,
    ProtocolLevel,
)
from app.directory.models import CityRelation, OrganisationKind

#: Day of a fixed item (a real date) or days from today (a relative item).
When = date | int

PROGRAMME_PERIOD = "2011-2012"
#: The matrix reports status per 31.12.2010.
STATUS_AS_OF = date(2010, 12, 31)
OSLO = "Europe/Oslo"

MONTH_ONLY = "Dokumentet oppgir bare måneden; dagen er valgt for demoen."
YEAR_ONLY = "Dokumentet oppgir bare året; datoene er valgt for demoen."


# --- shapes -------------------------------------------------------------------


@dataclass(frozen=True)
class OrganisationSpec:
    short_name: str
    name: str
    kind: OrganisationKind
    is_forum_member: bool = True
    is_trusted: bool = False
    website: str = ""


@dataclass(frozen=True)
class ThemeSpec:
    slug: str
    name_nb: str
    name_en: str


@dataclass(frozen=True)
class CitySpec:
    name: str
    #: ISO 3166-1 alpha-2.
    country: str
    relation: CityRelation = CityRelation.none
    friendship_category: int | None = None


@dataclass(frozen=True)
class VenueSpec:
    name: str
    address: str
    capacity: int | None = None


@dataclass(frozen=True)
class UserSpec:
    email: str
    name: str
    role: Role
    #: Fixed demo password, printed once by `flask demo load`.
    password: str
    organisation: str


@dataclass(frozen=True)
class OfficialSpec:
    name: str
    title: str
    #: E-mail of the demo user this official is, if any.
    user_email: str | None = None


@dataclass(frozen=True)
class InitiativeSpec:
    slug: str
    title: str
    #: Short names of the organisations in the working group.
    working_group: tuple[str, ...]
    actors: str = ""
    done: str = ""
    planned: str = ""
    status: str = ""
    description: str = ""


@dataclass(frozen=True)
class ChecklistTemplateSpec:
    protocol_level: ProtocolLevel
    title: str
    #: (title, days before arrival; negative: after the visit)
    items: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class EventSpec:
    slug: str
    title: str
    when: When
    #: None for an all-day event.
    start: time | None = None
    end: time | None = None
    #: Length of an all-day event in days.
    days: int = 1
    timezone: str = OSLO
    venue: str | None = None
    location: str = ""
    organiser: str | None = None
    initiative: str | None = None
    themes: tuple[str, ...] = ()
    visibility: Visibility = Visibility.public
    status: EventStatus = EventStatus.confirmed
    description: str = ""
    url: str = ""
    #: "weekly" or "monthly" (on the same weekday of the month as the first
    #: meeting, such as the second Tuesday); empty for a single event.
    repeat: str = ""
    #: How many times a repeating event takes place.
    count: int | None = None
    #: Indices (0 = the first) of the occurrences that are cancelled.
    cancelled_occurrences: tuple[int, ...] = ()


@dataclass(frozen=True)
class SubmissionSpec:
    """A partner's proposed event, in one of the moderation states."""

    title: str
    state: SubmissionState
    #: Days from today of the proposed event, and when it was submitted.
    when: int
    submitted_days_ago: int
    start: time
    end: time
    submitter_name: str
    submitter_email: str
    organiser: str | None = None
    organiser_name: str = ""
    initiative: str | None = None
    location: str = ""
    description: str = ""
    url: str = ""
    locale: str = "nb"
    reject_reason: str = ""
    #: Slug of the demo event an approval created.
    event: str | None = None


@dataclass(frozen=True)
class ProgrammeSpec:
    slug: str
    title: str
    #: Index of the visit day: calendar days for a fixed visit, working days
    #: for a relative one.
    day: int
    start: time
    end: time
    venue: str | None = None
    location: str = ""
    responsible: str | None = None
    responsible_person: str = ""
    #: Names of the officials attending.
    officials: tuple[str, ...] = ()
    visibility: Visibility = Visibility.public
    description: str = ""


@dataclass(frozen=True)
class ParticipantSpec:
    name: str
    title: str = ""
    organisation: str = ""
    dietary_needs: str = ""
    accessibility_needs: str = ""


@dataclass(frozen=True)
class DelegationSpec:
    slug: str
    title: str
    direction: Direction
    protocol_level: ProtocolLevel
    country: str
    when: When
    days: int
    arrival: time
    departure: time
    status: DelegationStatus
    visibility: Visibility
    #: (name, country) of a city in CITIES, or None for a national delegation.
    city: tuple[str, str] | None = None
    timezone: str = OSLO
    host: str | None = "TK"
    co_hosts: tuple[str, ...] = ()
    #: E-mail of the demo user who is the named contact point.
    host_contact: str | None = None
    initiative: str | None = None
    themes: tuple[str, ...] = ()
    foreign_organisations: str = ""
    head_of_delegation: str = ""
    size: int | None = None
    languages: str = ""
    needs_interpreter: bool = False
    cost_bearer: str = ""
    budget_nok: int | None = None
    notes: str = ""
    programme: tuple[ProgrammeSpec, ...] = ()
    participants: tuple[ParticipantSpec, ...] = ()
    #: Copy the template of the visit's protocol level as tasks.
    with_checklist: bool = False


@dataclass(frozen=True)
class FollowUpSpec:
    delegation: str
    title: str
    owner: str
    #: A real date, or days from today.
    deadline: When
    status: FollowUpStatus = FollowUpStatus.open
    notes: str = ""


@dataclass(frozen=True)
class InterestSpec:
    delegation: str
    user: str
    kind: InterestKind
    message: str = ""


# --- directory ----------------------------------------------------------------

#: The forum's members as listed under INTERNASJONALT FORUM, then a few actors
#: the matrix names who organise events in the calendar.
ORGANISATIONS: tuple[OrganisationSpec, ...] = (
    OrganisationSpec(
        "NTNU",
        "Norges teknisk-naturvitenskapelige universitet",
        OrganisationKind.university,
        website="https://www.ntnu.no",
    ),
    OrganisationSpec("HiST", "Høgskolen i Sør-Trøndelag", OrganisationKind.university),
    OrganisationSpec("MNH", "Midt-Norsk Handelskammer", OrganisationKind.business),
    OrganisationSpec(
        "IN",
        "Innovasjon Norge",
        OrganisationKind.public_agency,
        website="https://www.innovasjonnorge.no",
    ),
    OrganisationSpec("TEK", "Trøndelags Europakontor", OrganisationKind.public_agency),
    OrganisationSpec(
        "EEN", "European Enterprise Network", OrganisationKind.public_agency
    ),
    OrganisationSpec(
        "NiT",
        "Næringsforeningen i Trondheimsregionen",
        OrganisationKind.business,
    ),
    OrganisationSpec(
        "NHO", "Næringslivets Hovedorganisasjon (NHO)", OrganisationKind.business
    ),
    OrganisationSpec(
        "SINTEF",
        "SINTEF",
        OrganisationKind.research,
        website="https://www.sintef.no",
    ),
    OrganisationSpec("STFK", "Sør-Trøndelag fylkeskommune", OrganisationKind.county),
    OrganisationSpec("NTFK", "Nord-Trøndelag fylkeskommune", OrganisationKind.county),
    OrganisationSpec(
        "TK",
        "Trondheim kommune",
        OrganisationKind.municipality,
        is_trusted=True,
        website="https://www.trondheim.kommune.no",
    ),
    OrganisationSpec(
        "CC",
        "Konsulene i Trondheim (representant i forumet)",
        OrganisationKind.consulate,
    ),
    OrganisationSpec(
        "Norden",
        "Foreningen Norden",
        OrganisationKind.other,
        is_forum_member=False,
    ),
    OrganisationSpec(
        "TS", "Trondheimsolistene", OrganisationKind.culture, is_forum_member=False
    ),
    OrganisationSpec(
        "Nidarosdomen", "Nidarosdomen", OrganisationKind.culture, is_forum_member=False
    ),
    OrganisationSpec(
        "Visit Trondheim",
        "Visit Trondheim",
        OrganisationKind.business,
        is_forum_member=False,
    ),
)

#: Subject areas the strategy names: education, research, health, culture and
#: business, and the Europe office's food, youth, climate, environment and energy.
THEMES: tuple[ThemeSpec, ...] = (
    ThemeSpec("energi", "Energi", "Energy"),
    ThemeSpec(
        "utdanning-forskning", "Utdanning og forskning", "Education and research"
    ),
    ThemeSpec("kultur", "Kultur", "Culture"),
    ThemeSpec("naeringsliv", "Næringsliv", "Business"),
    ThemeSpec("helse", "Helse", "Health"),
    ThemeSpec("ungdom", "Ungdom", "Youth"),
    ThemeSpec("klima-miljo", "Klima og miljø", "Climate and environment"),
    ThemeSpec("mat-havbruk", "Mat og havbruk", "Food and aquaculture"),
    ThemeSpec("reiseliv", "Reiseliv", "Tourism"),
)

#: Cities the document names. It says the city council sorts friendship cities
#: into four categories but not which city is in which; the categories below
#: follow the activity the document describes (Nordic platform and youth
#: exchange: active; Kraków: to be contacted for broader cooperation).
#: Hamburg and the SØT cities are "formalised outside the friendship portfolio".
CITIES: tuple[CitySpec, ...] = (
    CitySpec("Norrköping", "SE", CityRelation.friendship, 1),
    CitySpec("Dunfermline", "GB", CityRelation.friendship, 1),
    CitySpec("Kraków", "PL", CityRelation.friendship, 2),
    CitySpec("Hamburg", "DE", CityRelation.partner),
    CitySpec("Sundsvall", "SE", CityRelation.partner),
    CitySpec("Östersund", "SE", CityRelation.partner),
    CitySpec("Puerto Montt", "CL", CityRelation.partner),
    CitySpec("Chongqing", "CN", CityRelation.partner),
    CitySpec("Wrocław", "PL", CityRelation.partner),
    CitySpec("Shanghai", "CN"),
    CitySpec("Murmansk", "RU"),
    CitySpec("Freiberg", "DE"),
    CitySpec("Steinkjer", "NO"),
    CitySpec("Mumbai", "IN"),
)

CITY_HALL = "Trondheim rådhus, Storsal"
CATHEDRAL = "Nidarosdomen"
ARCHBISHOPS_PALACE = "Erkebispegården"
SCIENCE_CENTRE = "Vitensenteret i Trondheim"
GLOSHAUGEN = "NTNU Gløshaugen"
HOTEL = "Scandic Nidelven"
SPEKTRUM = "Trondheim Spektrum"
CONCERT_HALL = "Olavshallen"
STIFTSGARDEN = "Stiftsgården"

VENUES: tuple[VenueSpec, ...] = (
    VenueSpec(CITY_HALL, "Munkegata 1, Trondheim", 80),
    VenueSpec(CATHEDRAL, "Kongsgårdsgata 2, Trondheim", 1000),
    VenueSpec(ARCHBISHOPS_PALACE, "Kongsgårdsgata 1, Trondheim"),
    VenueSpec(SCIENCE_CENTRE, "Kongens gate 1, Trondheim"),
    VenueSpec(GLOSHAUGEN, "Høgskoleringen 1, Trondheim"),
    VenueSpec(HOTEL, "Havnegata 1-3, Trondheim"),
    VenueSpec(SPEKTRUM, "Klostergata 90, Trondheim"),
    VenueSpec(CONCERT_HALL, "Kjøpmannsgata 44, Trondheim"),
    VenueSpec(STIFTSGARDEN, "Munkegata 23, Trondheim"),
)

ADMIN_EMAIL = "admin@vertskap.example"
MAYORS_OFFICE_EMAIL = "ordforer@vertskap.example"
MEMBER_EMAIL = "medlem@ntnu.example"

#: One demo user per role; the people are fictional.
USERS: tuple[UserSpec, ...] = (
    UserSpec(ADMIN_EMAIL, "Astrid Lien", Role.admin, "vertskap-admin-demo", "TK"),
    UserSpec(
        MAYORS_OFFICE_EMAIL,
        "Per Moe",
        Role.mayors_office,
        "vertskap-ordforer-demo",
        "TK",
    ),
    UserSpec(MEMBER_EMAIL, "Ingrid Berg", Role.member, "vertskap-medlem-demo", "NTNU"),
)

MAYOR = "Rita Ottervik"
DEPUTY_MAYOR = "Jon Aune"
DIRECTOR = "Astrid Lien"

#: The mayor of the period; the deputy and the director are fictional.
OFFICIALS: tuple[OfficialSpec, ...] = (
    OfficialSpec(MAYOR, "Ordfører"),
    OfficialSpec(DEPUTY_MAYOR, "Varaordfører"),
    OfficialSpec(DIRECTOR, "Direktør for internasjonale relasjoner", ADMIN_EMAIL),
)

FORUM = (
    "NTNU",
    "HiST",
    "MNH",
    "IN",
    "TEK",
    "EEN",
    "NiT",
    "NHO",
    "SINTEF",
    "STFK",
    "NTFK",
    "TK",
    "CC",
)

# --- initiatives: the matrix rows, then the forum's main efforts for 2011 -----

INITIATIVES: tuple[InitiativeSpec, ...] = (
    InitiativeSpec(
        "internasjonalt-forum",
        "Tilrettelegging og samarbeid som bidrar til økt internasjonal kontakt",
        FORUM,
        actors="Internasjonalt forum\nKultur og innvandrerorganisasjoner/Kulturenheten\nTSO og Trondheimsolistene",
        done="Etablering av internasjonalt forum\nGjennomført reiselivsprosjekt i Hamburg november / Kina seminar som oppfølging av delegasjonsreise til Kina våren 2010.\nDeltatt på NTNUs feiring av jubileum for avtale med Freiberg",
        planned="Internasjonalt forum planlegger fellessatsninger innen følgende områder:\nIndia 2011\nHamburg-delegasjonen\nInnkommende offisielle delegasjoner. Få flere statsbesøk til vår region\nKina-oppfølging\nInvolvering av innvandrerorganisasjoner og andre frivillige organisasjoner",
        status="Internasjonalt forum er etablert. Faste møter, løpende dialog om mulige fellessatsninger",
        description="Internasjonalt forum ble etablert i 2009. Forumet skal jobbe målrettet og strategisk for å befeste og styrke Trondheims rolle som kunnskapsby, kulturby, næringsutviklingen og styrke byen og regionens konkurranseevne gjennom tettere og bedre samhandling.",
    ),
    InitiativeSpec(
        "kartlegging",
        "Kartlegging av internasjonale aktiviteter",
        ("TK",),
        actors="Adm. / enheter",
        done="Kontakt med personer internt som er delaktig i internasjonale prosjekter",
        planned="Gjennomføre intern kartlegging / sak til politisk behandling",
        status="Påbegynt",
    ),
    InitiativeSpec(
        "vennskapsbyer",
        "Vennskapsbyer",
        ("TK",),
        actors="Adm",
        done="Evaluering av Nordisk plattform\nForeningen Norden",
        planned="Sak til bystyret vedtatt januar 2011\nUtarbeide ny avtale for Nordisk plattformarbeidet\nOppfølging av vennskapsbyrelasjoner\nBidra v/ Foreningen Nordens markering av Nordens dag 2011\nSak til formannskapet om opprettelse av vennskapsby-/internasjonal komité",
        status="Utført\nUnder arbeid",
        description="Bystyret har vedtatt en inndeling av vennskapsbyene i fire kategorier. Det vil bli tatt kontakt med Krakow i 2011 og med Puerto Montt med tanke på å utarbeide avtale som kan signeres under fiskerimessen 2011. Utkast til ny avtale vedrørende Nordisk plattform skal foreligge innen utgangen av 2011.",
    ),
    InitiativeSpec(
        "informasjon",
        "Informasjon",
        ("TK",),
        actors="Adm/kommunikasjonsenheten / StudiebyEn",
        done="Kartlagt utfordringer",
        planned="Oppdatering og drift av hjemmeside /flerspråklig\nInternasjonal informasjonsstrategi\nInformasjon til internasjonale studenter jf. helhetlig studentpolitikk",
        status="Påbegynt",
        description="Direktør for internasjonale relasjoner samarbeider med kommunikasjonsenheten om en bedre dokumentasjon og synliggjøring av kommunens internasjonale aktiviteter.",
    ),
    InitiativeSpec(
        "ekstern-finansiering",
        "Ekstern finansiering",
        ("IN", "TEK", "TK"),
        actors="adm. / Trøndelags europakontor / Innovasjon Norge",
        done="EU\nEØS\nInterreg\nNasjonale og lokale ordninger",
        planned="Formidle innholdet i ny finansieringsordning EU/EØS for perioden 2009-2014",
        status="Gjennomført kompetanseseminar",
        description="Informere og legge til rette for at aktuelle aktører blir kjent med og kan delta i prosjekter finansiert av EØS-finansieringsordningen. Første utlysing kommer i 2011.",
    ),
    InitiativeSpec(
        "barn-og-unge",
        "Barn og unge",
        ("STFK", "TEK", "TK"),
        actors="Adm. / Ungdommens bystyre / Trøndelags europakontor\nSkolesamarbeid innenfor Nordisk plattform",
        done="Ungdommens bystyre har engasjement i flere av vennskapsbyene / kontakt og utveksling\nLeirskole for 9. trinn\nLærertreff og rektortreff / koordinatortreff\nEU-prosjekter og Interreg-prosjekter (Aktiv Ungdom m.m.)",
        planned="Sikre deltakelse fra Trondheim i regionale program\nFortsatt aktivitet innen det nordiske skolesamarbeidet: Leirskole, Lærertreff, Rektortreff, Koordinatortreff\nUngdommens bystyre deltar i Aktiv Ungdom-prosjekt med Dunfermline",
        status="Løpende aktivitet",
    ),
    InitiativeSpec(
        "nettverk",
        "Nettverk",
        ("Nidarosdomen", "TK"),
        actors="Adm / Nidarosdomen / Vikingelauget (Steinkjer)",
        done="Echo – Internasjonalt orgelnettverk\nKS – Internasjonale nettverk\nTous les ports du monde (havnenettverk)",
        planned="Oppfølging og deltakelse",
        status="Løpende",
    ),
    InitiativeSpec(
        "internasjonale-studenter",
        "Internasjonale studenter og forskere",
        ("HiST", "NTNU", "TK"),
        actors="Adm / StudiebyEn\nHelhetlig studentpolitikk",
        done="Rapport om internasjonale studenter",
        planned="Delta i arbeidet og følge opp initiativ for å legge bedre til rette for internasjonale studenter og forskere",
        status="Prosjekt i regi av SiT/StudiebyEn",
    ),
    InitiativeSpec(
        "europakontoret",
        "Kontakt med Trøndelags Europakontor",
        ("TEK", "TK"),
        actors="Adm / internasjonalt forum\nEuropakontoret",
        done="Kompetansepartner innen fagområdene: Mat, Ungdom, klima, miljø og energi",
        planned="Tema:\nEØS-midler 2009-2014\nUngdom, Klima, miljø og energi",
        status="Løpende / deltakelse i ressursgruppen for Europakontoret\nUtnytte hjemmeressursen",
    ),
    InitiativeSpec(
        "access-mid-norway",
        "Access Mid-Norway",
        ("IN", "STFK", "TK"),
        done="Ekstraordinært årsmøte / årsmøte\nStyrearbeid",
        planned="Trøndelag blir forsøksregion for nasjonalt prosjekt i samarbeid med IN",
        status="Selskapet er besluttet videreført som selskap uten ansatte",
        description="Igangsette pilotprosjekt med 1-2 motiverte forsknings- og næringsklynger. STFK bidrar med 1 MNOK til AMN for 2011.",
    ),
    InitiativeSpec(
        "kirkelig-tyngdepunkt",
        "Trondheim som kirkelig tyngdepunkt",
        ("STFK", "TK"),
        actors="TK, STFK, Olavsfestdagene / Nidaros Pilegrimsgård",
        done="Utredning om Nidaros som pilegrimsmål\nInitiativ Olavsarven som Europeisk kulturvei",
        planned="Olavsvegene til Nidaros, som omfatter ledene i Norge, Sverige og Danmark, ble våren 2010 godkjent som Europeisk kulturveg og dette ble markert med en høytidelighet under Olavsfestdagene i Trondheim. Olavsvegene i Norden tilhører stamnettet av pilegrimsveger som forbinder de store pilegrimsmålene i Europa, der Nidaros er et tyngdepunkt i Nord–Europa.\nNye EU-prosjekter omsøkes",
        status="Økt pilegrimsfokus som følge av nasjonal utredning\nSøknad om status som Europeisk kulturvei innvilget",
    ),
    InitiativeSpec(
        "vertskapsrolle",
        "Vertskapsrolle",
        ("TK",),
        actors="TK",
        done="Tilrettelagt faglig program for internasjonale delegasjoner (Representasjon / mottak, Kontaktpunkt)",
        planned="Tilrettelegge program og gjennomføre etter behov\nFølge opp eventuelle etterbruksmuligheter\nRepresentasjon\nOrdfører- og ambassadebesøk",
        status="Løpende",
        description="Informasjon om aktiviteter både lokalt og internasjonalt skal samles i internasjonalt forum gjennom en aktivitetskalender som er tilgjengelig for de som måtte ha interesse av det. Det er ønskelig å utarbeide klarere retningslinjer for vertskapsrollen.",
    ),
    InitiativeSpec(
        "sot-samarbeid",
        "SØT-samarbeid",
        ("TK",),
        actors="Politikere og Fagstab",
        done="Møter og seminarer",
        planned="Oppfølging og deltakelse",
    ),
    InitiativeSpec(
        "konsuler",
        "Trondheims konsuler",
        ("CC", "TK"),
        actors="TK / Internasjonalt forum",
        done="Kontakt med CC er etablert.",
        planned="Kontakt etablert i forbindelse med arrangementet Nordens dag i mars 2011",
        status="Innlemmet som medlem av Internasjonalt forum",
    ),
    InitiativeSpec(
        "reiseliv",
        "Reiseliv",
        ("TK", "Visit Trondheim"),
        actors="TK, Visit Trondheim / Trøndelag reiseliv / Internasjonalt forum",
        done="Utvalgt som delegasjonstema Hamburg 2010",
        planned="Planlegging og gjennomføring av program 2011",
        status="Hamburg program er gjennomført",
    ),
    InitiativeSpec(
        "trondheimsregionen",
        "Trondheimsregionen – bidra til økt internasjonal kontakt og samarbeid",
        ("STFK", "TK"),
        actors="TK i samarbeid med vedkommende kommuner / STFK",
        done="Trondheimsregionen har vedtatt en Strategisk næringsplan hvor det er fokus på internasjonalisering",
        planned="Sikre regionen et innflaggingskontor\nLage en strategi for bistand til bedrifter i deres internasjonaliseringsarbeid, og involvere regionens bedrifter i internasjonale prosjekter\nTrondheimsregionen skal sammen med FoU-miljø og næringslivet velge ut 1-3 næringsområder hvor regionen har eller kan etablere internasjonale kunnskapsnav, og i forlengelsen av dette lage en strategi for hvordan de internasjonale kunnskapsnavene skal utvikles og gi økt vekst",
        status="Prosjektleder for Strategisk næringsplan er tilsatt\nArbeid med kunnskapsnav igangsatt\nArbeidsgruppe med fokus flere bedrifter inn i EU-prosjekter er igangsatt",
    ),
    InitiativeSpec(
        "internt-team",
        "Internt internasjonalt team",
        ("TK",),
        actors="Personer i fagstab og aktuelle enheter",
        done="Stor interesse / stort behov for samordning",
        planned="Etablere internt forum for samhandling og gjensidig informasjon omkring internasjonale aktiviteter og planer. Det arbeides videre med å finne hensiktsmessig form",
        status="Team er ikke etablert.",
        description="Gruppen sammenkalles etter behov og ledes av Direktør for internasjonale relasjoner.",
    ),
    InitiativeSpec(
        "norge-polen",
        "Norge-Polen prosjekt",
        ("Nidarosdomen", "TK"),
        actors="Wrocław kommune, TK, Nidarosdomen",
        done="Forberede og planlegge prosjektet «David og Batsheba» for fremføring i Polen og Trondheim",
        planned="Kontraktering og gjennomføring",
        status="Gjennomført program i Wrocław (mai) og Trondheim (november)",
    ),
    InitiativeSpec(
        "india-2011",
        "India 2011",
        ("IN", "NHO", "NTNU", "NiT", "TK"),
        description="NTNUs Indiamarkering 2011, en av Internasjonalt forums hovedsatsinger i 2011.",
    ),
    InitiativeSpec(
        "hamburg-delegasjonen",
        "Hamburg-delegasjonen",
        ("IN", "NTNU", "NiT", "TK"),
        description="I forbindelse med planlegging av seminar i Hamburg i november 2011 blir temaet vindkraftteknologi.",
    ),
    InitiativeSpec(
        "offisielle-delegasjoner",
        "Innkommende offisielle delegasjoner",
        ("CC", "NiT", "TK"),
        description="Få flere statsbesøk til vår region.",
    ),
    InitiativeSpec(
        "kina-oppfolging",
        "Kina-oppfølging",
        ("IN", "NiT", "STFK", "TK"),
        description="Norway Days i Chongqing i mai/juni 2010 bygde en solid plattform for videre satsing mot Chongqing og Kina. Internasjonalt Forum etablerte på nyåret 2011 en Kinagruppe. Tiltak 2011: utarbeide en Kina-strategi for Trøndelag som favner bredt tematisk (næring/kultur/skole).",
    ),
    InitiativeSpec(
        "russland-nordomradene",
        "Russland/Nordområdene",
        ("NTFK", "STFK", "TK"),
        description="Nord-Trøndelag fylkeskommune har tatt ansvar for en vurdering av mulige satsinger i forhold til Russland/nordområdene. En eventuell medvirkning fra Trondheim kommune drøftes i samarbeid med STFK, Midt-Norsk olje og gass, næringsliv og FoU-miljøene.",
    ),
    InitiativeSpec(
        "coesima-ii",
        "COESIMA II",
        ("NTFK", "STFK", "TK"),
        description="Et partnerskap av 8-10 europeiske pilegrimsregioner. Norsk partner er «Trondheim/Nidaros Pilegrimsregion» – representert ved STFK, NTFK og Trondheim kommune. Tiltak 2011: få opp søknad innen søknadsfristen for Interreg IVC-programmet 1.4.2011.",
    ),
)

# --- hosting guidelines -------------------------------------------------------

CHECKLIST_TEMPLATES: tuple[ChecklistTemplateSpec, ...] = (
    ChecklistTemplateSpec(
        ProtocolLevel.state,
        "Statsbesøk og kongelige besøk",
        (
            ("Varsle Utenriksdepartementets protokollavdeling", 60),
            ("Avklare sikkerhet, eskorte og sperringer med politiet", 45),
            ("Bestille tolk", 30),
            ("Bestille flagg til rådhuset og kjøreruten", 21),
            ("Velge og bestille gaver", 21),
            ("Sende presseinvitasjon og ordne akkreditering", 7),
            ("Bordplassering og kuvertkort til den offisielle middagen", 3),
            ("Sende takkebrev", -7),
        ),
    ),
    ChecklistTemplateSpec(
        ProtocolLevel.mayoral,
        "Ordførerbesøk",
        (
            ("Avklare program og deltakere med ordførerens kontor", 30),
            ("Bestille Storsal i rådhuset", 21),
            ("Velge gave", 14),
            ("Forberede ordførerens velkomsttale", 5),
            ("Sende takkebrev", -7),
        ),
    ),
    ChecklistTemplateSpec(
        ProtocolLevel.professional,
        "Faglige delegasjoner",
        (
            ("Avtale program med vertsorganisasjonene", 30),
            ("Bestille møterom og lunsj", 14),
            ("Forberede velkomstpresentasjon om Trondheim", 7),
            ("Sende endelig program til delegasjonen", 5),
            ("Planlegge etterbruk og oppfølging", 3),
            ("Registrere oppfølgingspunkter etter besøket", -7),
        ),
    ),
)

# --- events the document dates -----------------------------------------------

DATED_EVENTS: tuple[EventSpec, ...] = (
    EventSpec(
        "bystyret-internasjonal-strategi",
        "Bystyret vedtar Internasjonal strategi for Trondheim",
        date(2010, 1, 28),
        organiser="TK",
        initiative="internasjonalt-forum",
        description="Bystyret vedtok i møte 28. januar 2010 (arkivsak 09/40014) Internasjonal strategi for Trondheim, som skal følges opp av et handlingsprogram.",
    ),
    EventSpec(
        "nordisk-vennskapsbymote-2010",
        "Nordisk vennskapsbymøte i Trondheim",
        date(2010, 4, 20),
        days=2,
        location="Trondheim",
        organiser="TK",
        initiative="vennskapsbyer",
        description="Det nordiske arbeidet ble evaluert under Nordisk vennskapsbymøte i Trondheim i april 2010. "
        + MONTH_ONLY,
    ),
    EventSpec(
        "david-og-batsheba-wroclaw",
        "«David og Batsheba» i Wrocław",
        date(2010, 5, 21),
        timezone="Europe/Warsaw",
        location="Wrocław",
        organiser="Nidarosdomen",
        initiative="norge-polen",
        themes=("kultur",),
        description="Norge-Polen-prosjektet: fremføring i Wrocław (mai). " + MONTH_ONLY,
    ),
    EventSpec(
        "david-og-batsheba-trondheim",
        "«David og Batsheba» i Nidarosdomen",
        date(2010, 11, 12),
        venue=CATHEDRAL,
        organiser="Nidarosdomen",
        initiative="norge-polen",
        themes=("kultur",),
        description="Norge-Polen-prosjektet: fremføring i Trondheim (november). "
        + MONTH_ONLY,
    ),
    EventSpec(
        "nordens-dag-2011",
        "Nordens dag 2011",
        date(2011, 3, 23),
        location="Trondheim",
        organiser="Norden",
        initiative="vennskapsbyer",
        description="Trondheim kommune bidrar ved Foreningen Nordens markering av Nordens dag, 23. mars. Kontakten med konsulene i Trondheim (CC) ble etablert i forbindelse med arrangementet.",
    ),
    EventSpec(
        "interreg-ivc-frist-2011",
        "Søknadsfrist Interreg IVC (COESIMA II)",
        date(2011, 4, 1),
        organiser="STFK",
        initiative="coesima-ii",
        themes=("kultur", "reiseliv"),
        visibility=Visibility.forum,
        description="Få opp søknad til et godt europeisk pilegrimsprosjekt innen søknadsfristen for Interreg IVC-programmet 1.4.2011, i samarbeid med våre europeiske partnere.",
    ),
    EventSpec(
        "aqua-nor-2011",
        "Aqua Nor 2011 (fiskerimessen)",
        date(2011, 8, 16),
        days=4,
        venue=SPEKTRUM,
        themes=("mat-havbruk", "naeringsliv"),
        description="Fiskerimessen der en avtale med Puerto Montt kan signeres. Dokumentet oppgir bare året; datoene er messens.",
    ),
    EventSpec(
        "nordisk-plattform-frist-2011",
        "Frist: utkast til ny avtale om Nordisk plattform",
        date(2011, 12, 31),
        organiser="TK",
        initiative="vennskapsbyer",
        visibility=Visibility.internal,
        description="Utkast til ny avtale vedrørende Nordisk plattform skal foreligge innen utgangen av 2011.",
    ),
)

# --- visits the document dates ------------------------------------------------

DATED_DELEGATIONS: tuple[DelegationSpec, ...] = (
    DelegationSpec(
        "chongqing-norway-days-2010",
        "Norway Days i Chongqing",
        Direction.outgoing,
        ProtocolLevel.business,
        "CN",
        date(2010, 5, 31),
        days=5,
        arrival=time(10, 0),
        departure=time(17, 0),
        status=DelegationStatus.completed,
        visibility=Visibility.public,
        city=("Chongqing", "CN"),
        timezone="Asia/Shanghai",
        host="STFK",
        co_hosts=("TK", "MNH"),
        initiative="kina-oppfolging",
        themes=("naeringsliv", "kultur"),
        foreign_organisations="Chongqing kommune",
        notes="Trondheim kommune var representert i delegasjonen. Trondheimsolistene spilte sammen med erhu-solist Liu Guangyu. Dokumentet oppgir «mai/juni 2010»; datoene er valgt for demoen.",
    ),
    DelegationSpec(
        "hamburg-reiseliv-2010",
        "Reiselivsdelegasjon til Hamburg",
        Direction.outgoing,
        ProtocolLevel.business,
        "DE",
        date(2010, 11, 8),
        days=3,
        arrival=time(10, 0),
        departure=time(16, 0),
        status=DelegationStatus.completed,
        visibility=Visibility.public,
        city=("Hamburg", "DE"),
        timezone="Europe/Berlin",
        co_hosts=("Visit Trondheim",),
        initiative="reiseliv",
        themes=("reiseliv",),
        notes="Reiseliv ble valgt som delegasjonstema Hamburg 2010; programmet er gjennomført. "
        + MONTH_ONLY,
    ),
    DelegationSpec(
        "murmansk-2010",
        "Trøndersk delegasjon til Murmansk",
        Direction.outgoing,
        ProtocolLevel.professional,
        "RU",
        date(2010, 12, 6),
        days=3,
        arrival=time(11, 0),
        departure=time(15, 0),
        status=DelegationStatus.completed,
        visibility=Visibility.forum,
        city=("Murmansk", "RU"),
        timezone="Europe/Moscow",
        host="NTFK",
        initiative="russland-nordomradene",
        themes=("energi", "naeringsliv"),
        foreign_organisations="SIVATECH",
        notes="En mindre delegasjon fra Trøndelag fikk orienteringer fra en rekke aktører i området, godt tilrettelagt av SIVATECH. "
        + MONTH_ONLY,
    ),
    DelegationSpec(
        "india-2011",
        "India 2011: delegasjon til India",
        Direction.outgoing,
        ProtocolLevel.academic,
        "IN",
        date(2011, 10, 17),
        days=4,
        arrival=time(9, 0),
        departure=time(17, 0),
        status=DelegationStatus.confirmed,
        visibility=Visibility.forum,
        timezone="Asia/Kolkata",
        host="NTNU",
        co_hosts=("TK", "IN", "NHO", "NiT"),
        initiative="india-2011",
        themes=("utdanning-forskning", "naeringsliv"),
        notes="NTNUs Indiamarkering 2011. " + YEAR_ONLY,
    ),
    DelegationSpec(
        "puerto-montt-aqua-nor-2011",
        "Delegasjon fra Puerto Montt under fiskerimessen",
        Direction.incoming,
        ProtocolLevel.mayoral,
        "CL",
        date(2011, 8, 16),
        days=3,
        arrival=time(10, 0),
        departure=time(15, 0),
        status=DelegationStatus.tentative,
        visibility=Visibility.public,
        city=("Puerto Montt", "CL"),
        initiative="vennskapsbyer",
        themes=("mat-havbruk", "naeringsliv"),
        languages="spansk, engelsk",
        needs_interpreter=True,
        notes="Det vil bli tatt kontakt med Puerto Montt med tanke på å utarbeide avtale som kan signeres under fiskerimessen 2011.",
        programme=(
            ProgrammeSpec(
                "puerto-montt-avtale-2011",
                "Signering av samarbeidsavtale Trondheim – Puerto Montt",
                1,
                time(12, 0),
                time(13, 0),
                venue=SPEKTRUM,
                responsible="TK",
                officials=(MAYOR,),
                description="Planlagt signering under Aqua Nor 2011.",
            ),
        ),
    ),
    DelegationSpec(
        "hamburg-vindkraft-2011",
        "Hamburg-delegasjonen: seminar om vindkraftteknologi",
        Direction.outgoing,
        ProtocolLevel.professional,
        "DE",
        date(2011, 11, 14),
        days=3,
        arrival=time(10, 0),
        departure=time(16, 0),
        status=DelegationStatus.confirmed,
        visibility=Visibility.public,
        city=("Hamburg", "DE"),
        timezone="Europe/Berlin",
        co_hosts=("IN", "NTNU", "NiT"),
        initiative="hamburg-delegasjonen",
        themes=("energi", "naeringsliv"),
        notes="I forbindelse med planlegging av seminar i Hamburg i november 2011 blir temaet vindkraftteknologi. "
        + MONTH_ONLY,
        programme=(
            ProgrammeSpec(
                "hamburg-vindkraftseminar-2011",
                "Seminar: vindkraftteknologi",
                1,
                time(9, 0),
                time(15, 0),
                location="Hamburg",
                responsible="NTNU",
                description="Fellesseminar med Hamburg om vindkraftteknologi.",
            ),
        ),
    ),
)

# --- the living calendar around today -----------------------------------------

RELATIVE_EVENTS: tuple[EventSpec, ...] = (
    EventSpec(
        "forum-mote-forrige",
        "Møte i Internasjonalt forum",
        -12,
        time(14, 0),
        time(16, 0),
        venue=CITY_HALL,
        organiser="MNH",
        initiative="internasjonalt-forum",
        visibility=Visibility.forum,
    ),
    EventSpec(
        "gjesteforelesning-internasjonalisering",
        "Gjesteforelesning: internasjonalisering av høyere utdanning",
        -4,
        time(12, 15),
        time(14, 0),
        venue=GLOSHAUGEN,
        organiser="HiST",
        initiative="internasjonale-studenter",
        themes=("utdanning-forskning",),
    ),
    EventSpec(
        "forum-mote-1",
        "Møte i Internasjonalt forum",
        2,
        time(14, 0),
        time(16, 0),
        venue=CITY_HALL,
        organiser="MNH",
        initiative="internasjonalt-forum",
        visibility=Visibility.forum,
        description="Faste møter og løpende dialog om mulige fellessatsninger. Forumet møtes på samme ukedag hver måned; datoene er valgt for demoen.",
        repeat="monthly",
        count=10,
    ),
    EventSpec(
        "studenter-velkomst",
        "Velkommen til Trondheim: møte for internasjonale studenter og forskere",
        4,
        time(14, 0),
        time(16, 0),
        venue=GLOSHAUGEN,
        organiser="NTNU",
        initiative="internasjonale-studenter",
        themes=("utdanning-forskning",),
    ),
    EventSpec(
        "internt-team-samordning",
        "Internt internasjonalt team: samordningsmøte",
        5,
        time(13, 0),
        time(14, 30),
        venue=CITY_HALL,
        organiser="TK",
        initiative="internt-team",
        visibility=Visibility.internal,
    ),
    EventSpec(
        "kinagruppen-arbeidsmote",
        "Kinagruppen i Internasjonalt forum: arbeidsmøte",
        6,
        time(13, 0),
        time(15, 0),
        location="Midt-Norsk Handelskammer",
        organiser="MNH",
        initiative="kina-oppfolging",
        visibility=Visibility.forum,
    ),
    EventSpec(
        "hamburg-frokost",
        "Næringslivsfrokost: Hamburg og Nord-Tyskland som marked",
        7,
        time(8, 0),
        time(9, 30),
        venue=HOTEL,
        organiser="NiT",
        initiative="hamburg-delegasjonen",
        themes=("naeringsliv", "energi"),
    ),
    EventSpec(
        "eos-seminar",
        "Seminar: EØS-midlene – muligheter for trønderske aktører",
        9,
        time(9, 0),
        time(12, 0),
        venue=HOTEL,
        organiser="TEK",
        initiative="ekstern-finansiering",
        themes=("naeringsliv", "klima-miljo"),
        description="Midlene går til prosjekter innen miljø og klima, grønn næringsutvikling, helse, forskning, utdanning og kulturarv.",
    ),
    EventSpec(
        "konsulmottakelse",
        "Mottakelse for konsulene i Trondheim",
        11,
        time(17, 0),
        time(19, 0),
        venue=CITY_HALL,
        organiser="TK",
        initiative="konsuler",
        visibility=Visibility.forum,
        status=EventStatus.tentative,
    ),
    EventSpec(
        "india-arbeidsgruppe",
        "India-arbeidsgruppen: forberedelse av Mumbai-reisen",
        -3,
        time(10, 0),
        time(11, 30),
        venue=GLOSHAUGEN,
        organiser="NTNU",
        initiative="india-2011",
        themes=("naeringsliv", "utdanning-forskning"),
        visibility=Visibility.forum,
        description="Ukentlig arbeidsmøte i arbeidsgruppen for India 2011 (IN, NHO, NiT, NTNU og TK) fram til Mumbai-reisen.",
        repeat="weekly",
        count=8,
        cancelled_occurrences=(2,),
    ),
    EventSpec(
        "kina-seminar-avlyst",
        "Kina-seminar: erfaringer fra delegasjonsreisen",
        20,
        time(12, 0),
        time(15, 0),
        venue=SCIENCE_CENTRE,
        organiser="MNH",
        initiative="kina-oppfolging",
        themes=("naeringsliv",),
        status=EventStatus.cancelled,
        description="Seminaret er avlyst og flyttes til våren.",
    ),
    EventSpec(
        "eksportseminar-mumbai",
        "Eksportseminar: Mumbai-markedet for trønderske bedrifter",
        21,
        time(9, 0),
        time(11, 30),
        venue=HOTEL,
        organiser="NHO",
        initiative="india-2011",
        themes=("naeringsliv",),
        description="Foreslått av NHO Trøndelag gjennom skjemaet for partnere og godkjent av internasjonal avdeling.",
        url="https://example.org/eksportseminar-mumbai",
    ),
    EventSpec(
        "olavsfestdagene",
        "Olavsfestdagene",
        45,
        days=5,
        location="Trondheim sentrum og Nidarosdomen",
        organiser="Nidarosdomen",
        initiative="kirkelig-tyngdepunkt",
        themes=("kultur", "reiseliv"),
        description="Festivalen der Olavsvegene ble markert som europeisk kulturveg. Dokumentet nevner festivalen uten datoer; datoene er valgt for demoen.",
    ),
    EventSpec(
        "formannskapet-orientering",
        "Formannskapet: orientering om internasjonalt arbeid",
        15,
        time(13, 0),
        time(14, 0),
        venue=CITY_HALL,
        organiser="TK",
        initiative="kartlegging",
    ),
    EventSpec(
        "orgelkonsert-echo",
        "Orgelkonsert i ECHO-nettverket",
        16,
        time(19, 30),
        time(21, 0),
        venue=CATHEDRAL,
        organiser="Nidarosdomen",
        initiative="nettverk",
        themes=("kultur",),
    ),
    EventSpec(
        "pilegrimsseminar",
        "Pilegrimsseminar: Olavsvegene som europeisk kulturveg",
        19,
        time(9, 30),
        time(15, 30),
        venue=ARCHBISHOPS_PALACE,
        organiser="STFK",
        initiative="kirkelig-tyngdepunkt",
        themes=("kultur", "reiseliv"),
        status=EventStatus.tentative,
    ),
    EventSpec(
        "interreg-informasjonsmote",
        "Informasjonsmøte: Interreg og EU-prosjekter for bedrifter",
        23,
        time(9, 0),
        time(11, 30),
        venue=SCIENCE_CENTRE,
        organiser="TEK",
        initiative="trondheimsregionen",
        themes=("naeringsliv",),
    ),
    EventSpec(
        "kina-strategi-frist",
        "Frist: innspill til Kina-strategi for Trøndelag",
        25,
        organiser="STFK",
        initiative="kina-oppfolging",
        visibility=Visibility.forum,
    ),
    EventSpec(
        "informasjonsstrategi-workshop",
        "Workshop: internasjonal informasjonsstrategi og flerspråklige nettsider",
        27,
        time(12, 30),
        time(15, 30),
        venue=CITY_HALL,
        organiser="TK",
        initiative="informasjon",
        visibility=Visibility.internal,
    ),
    EventSpec(
        "access-mid-norway-pilotklynger",
        "Access Mid-Norway: valg av pilotklynger",
        33,
        time(10, 0),
        time(12, 0),
        venue=GLOSHAUGEN,
        organiser="IN",
        initiative="access-mid-norway",
        themes=("naeringsliv", "utdanning-forskning"),
        visibility=Visibility.forum,
    ),
    EventSpec(
        "ungdommens-bystyre-internasjonalt",
        "Ungdommens bystyre: internasjonalt møte",
        34,
        time(17, 0),
        time(19, 0),
        venue=CITY_HALL,
        organiser="TK",
        initiative="barn-og-unge",
        themes=("ungdom",),
    ),
    EventSpec(
        "internasjonal-uke",
        "Internasjonal uke i studiebyen",
        38,
        days=3,
        location="Trondheim",
        organiser="NTNU",
        initiative="internasjonale-studenter",
        themes=("utdanning-forskning", "kultur"),
    ),
    EventSpec(
        "havvind-fagdag",
        "Fagdag: havvind og energiteknologi",
        40,
        time(9, 0),
        time(16, 0),
        venue=GLOSHAUGEN,
        organiser="SINTEF",
        initiative="hamburg-delegasjonen",
        themes=("energi",),
    ),
    EventSpec(
        "helse-seminar",
        "Seminar: internasjonalt samarbeid om helse og velferdsteknologi",
        43,
        time(9, 0),
        time(12, 0),
        venue=SCIENCE_CENTRE,
        organiser="HiST",
        themes=("helse",),
    ),
    EventSpec(
        "aktiv-ungdom-frist",
        "Søknadsfrist: Aktiv Ungdom (ungdomsutveksling)",
        50,
        organiser="TEK",
        initiative="barn-og-unge",
        themes=("ungdom",),
    ),
    EventSpec(
        "nordisk-koordinatortreff",
        "Nordisk plattform: koordinatortreff (videomøte)",
        52,
        time(10, 0),
        time(11, 30),
        location="Videomøte",
        organiser="TK",
        initiative="vennskapsbyer",
        visibility=Visibility.forum,
    ),
)

RELATIVE_DELEGATIONS: tuple[DelegationSpec, ...] = (
    DelegationSpec(
        "dunfermline-ungdom",
        "Ungdomsrådet fra Dunfermline på besøk",
        Direction.incoming,
        ProtocolLevel.youth,
        "GB",
        -10,
        days=2,
        arrival=time(10, 0),
        departure=time(15, 0),
        status=DelegationStatus.completed,
        visibility=Visibility.public,
        city=("Dunfermline", "GB"),
        co_hosts=("STFK",),
        host_contact=ADMIN_EMAIL,
        initiative="barn-og-unge",
        themes=("ungdom",),
        size=8,
        languages="engelsk",
        notes="Aktiv Ungdom-prosjekt om hverandres ungdomsmedvirkningsarbeid.",
        programme=(
            ProgrammeSpec(
                "dunfermline-ungdommens-bystyre",
                "Ungdommens bystyre møter ungdomsrådet fra Dunfermline",
                0,
                time(10, 0),
                time(13, 0),
                venue=CITY_HALL,
                responsible="TK",
                officials=(DEPUTY_MAYOR,),
            ),
        ),
    ),
    DelegationSpec(
        "hamburg-havvind",
        "Delegasjon fra Hamburg: havvind og fornybar energi",
        Direction.incoming,
        ProtocolLevel.professional,
        "DE",
        3,
        days=2,
        arrival=time(9, 0),
        departure=time(16, 0),
        status=DelegationStatus.confirmed,
        visibility=Visibility.public,
        city=("Hamburg", "DE"),
        co_hosts=("NTNU", "SINTEF", "IN"),
        host_contact=MAYORS_OFFICE_EMAIL,
        initiative="hamburg-delegasjonen",
        themes=("energi", "naeringsliv"),
        foreign_organisations="Erneuerbare Energien Hamburg; Handelskammer Hamburg",
        head_of_delegation="Dr. Jana Becker",
        size=12,
        languages="tysk, engelsk",
        cost_bearer="Gjestene dekker reise og hotell; Trondheim kommune er vertskap for middagen.",
        budget_nok=45000,
        with_checklist=True,
        participants=(
            ParticipantSpec(
                "Dr. Jana Becker",
                "Leder for delegasjonen",
                "Erneuerbare Energien Hamburg",
                dietary_needs="Vegetar",
            ),
            ParticipantSpec(
                "Lars Petersen",
                "Rådgiver, havvind",
                "Handelskammer Hamburg",
                accessibility_needs="Rullestolbruker: trenger trinnfri adkomst",
            ),
        ),
        programme=(
            ProgrammeSpec(
                "hamburg-havvind-velkomst",
                "Velkomst ved ordføreren",
                0,
                time(9, 30),
                time(10, 15),
                venue=CITY_HALL,
                responsible="TK",
                officials=(MAYOR, DIRECTOR),
            ),
            ProgrammeSpec(
                "hamburg-havvind-ntnu",
                "NTNU: forskning på havvind og energisystemer",
                0,
                time(10, 45),
                time(12, 30),
                venue=GLOSHAUGEN,
                responsible="NTNU",
            ),
            ProgrammeSpec(
                "hamburg-havvind-lunsj",
                "Lunsj med Internasjonalt forum",
                0,
                time(12, 45),
                time(13, 45),
                venue=HOTEL,
                responsible="TK",
                visibility=Visibility.forum,
            ),
            ProgrammeSpec(
                "hamburg-havvind-middag",
                "Middag i Erkebispegården",
                0,
                time(19, 0),
                time(21, 30),
                venue=ARCHBISHOPS_PALACE,
                responsible="TK",
                officials=(MAYOR,),
                visibility=Visibility.internal,
            ),
            ProgrammeSpec(
                "hamburg-havvind-seminar",
                "Seminar: vindkraftteknologi i Trøndelag og Hamburg",
                1,
                time(9, 0),
                time(12, 0),
                venue=GLOSHAUGEN,
                responsible="SINTEF",
            ),
            ProgrammeSpec(
                "hamburg-havvind-naeringsliv",
                "Næringslivsmøte med NiT og NHO",
                1,
                time(13, 0),
                time(15, 0),
                venue=HOTEL,
                responsible="NiT",
                visibility=Visibility.forum,
            ),
        ),
    ),
    DelegationSpec(
        "indias-ambassador",
        "Indias ambassadør besøker Trondheim",
        Direction.incoming,
        ProtocolLevel.ambassador,
        "IN",
        8,
        days=1,
        arrival=time(9, 30),
        departure=time(15, 30),
        status=DelegationStatus.confirmed,
        visibility=Visibility.forum,
        co_hosts=("NTNU",),
        host_contact=MAYORS_OFFICE_EMAIL,
        initiative="offisielle-delegasjoner",
        themes=("utdanning-forskning", "naeringsliv"),
        foreign_organisations="Indias ambassade i Oslo",
        head_of_delegation="Indias ambassadør til Norge",
        size=4,
        languages="engelsk",
        programme=(
            ProgrammeSpec(
                "indias-ambassador-ordforer",
                "Møte med ordføreren",
                0,
                time(10, 0),
                time(11, 0),
                venue=CITY_HALL,
                responsible="TK",
                officials=(MAYOR, DIRECTOR),
                visibility=Visibility.forum,
            ),
            ProgrammeSpec(
                "indias-ambassador-nidarosdomen",
                "Omvisning i Nidarosdomen",
                0,
                time(11, 30),
                time(12, 30),
                venue=CATHEDRAL,
                responsible="Nidarosdomen",
                visibility=Visibility.forum,
            ),
            ProgrammeSpec(
                "indias-ambassador-lunsj",
                "Lunsj med NTNU og SINTEF",
                0,
                time(12, 45),
                time(13, 45),
                venue=GLOSHAUGEN,
                responsible="NTNU",
                visibility=Visibility.internal,
            ),
            ProgrammeSpec(
                "indias-ambassador-rundebord",
                "Rundebordsmøte om India-samarbeid",
                0,
                time(14, 0),
                time(15, 30),
                venue=GLOSHAUGEN,
                responsible="NTNU",
                visibility=Visibility.forum,
            ),
        ),
    ),
    DelegationSpec(
        "chongqing-kultur",
        "Kulturdelegasjon fra Chongqing",
        Direction.incoming,
        ProtocolLevel.mayoral,
        "CN",
        14,
        days=2,
        arrival=time(10, 0),
        departure=time(16, 0),
        status=DelegationStatus.cancelled,
        visibility=Visibility.forum,
        city=("Chongqing", "CN"),
        co_hosts=("TS",),
        initiative="kina-oppfolging",
        themes=("kultur",),
        size=10,
        languages="kinesisk, engelsk",
        needs_interpreter=True,
        notes="Avlyst av gjestene; reisen er utsatt.",
        programme=(
            ProgrammeSpec(
                "chongqing-kultur-ordforer",
                "Møte med ordføreren",
                0,
                time(10, 0),
                time(11, 0),
                venue=CITY_HALL,
                responsible="TK",
                officials=(MAYOR,),
                visibility=Visibility.forum,
            ),
            ProgrammeSpec(
                "chongqing-kultur-konsert",
                "Konsert med Trondheimsolistene og erhu-solist",
                0,
                time(19, 30),
                time(21, 0),
                venue=CONCERT_HALL,
                responsible="TS",
                visibility=Visibility.forum,
            ),
        ),
    ),
    DelegationSpec(
        "mumbai-naeringsliv",
        "Næringslivs- og kunnskapsdelegasjon til Mumbai",
        Direction.outgoing,
        ProtocolLevel.business,
        "IN",
        20,
        days=3,
        arrival=time(9, 0),
        departure=time(17, 0),
        status=DelegationStatus.tentative,
        visibility=Visibility.forum,
        city=("Mumbai", "IN"),
        timezone="Asia/Kolkata",
        co_hosts=("NTNU", "NHO", "NiT", "IN"),
        host_contact=ADMIN_EMAIL,
        initiative="india-2011",
        themes=("naeringsliv", "utdanning-forskning"),
        head_of_delegation="Ordfører Rita Ottervik",
        size=15,
        languages="engelsk",
        cost_bearer="Hver deltakerorganisasjon dekker egne reiseutgifter.",
        programme=(
            ProgrammeSpec(
                "mumbai-generalkonsulat",
                "Møte på Norges generalkonsulat i Mumbai",
                0,
                time(10, 0),
                time(11, 30),
                location="Norges generalkonsulat, Mumbai",
                responsible="IN",
                officials=(MAYOR,),
                visibility=Visibility.forum,
            ),
            ProgrammeSpec(
                "mumbai-seminar",
                "Næringslivsseminar: norsk-indisk samarbeid om havbruk og energi",
                0,
                time(14, 0),
                time(17, 0),
                location="Mumbai",
                responsible="NHO",
                visibility=Visibility.forum,
            ),
            ProgrammeSpec(
                "mumbai-iit",
                "Besøk ved IIT Bombay",
                1,
                time(10, 0),
                time(13, 0),
                location="IIT Bombay, Powai",
                responsible="NTNU",
                visibility=Visibility.forum,
            ),
            ProgrammeSpec(
                "mumbai-mottakelse",
                "Mottakelse for indiske samarbeidspartnere",
                1,
                time(19, 0),
                time(21, 0),
                location="Mumbai",
                responsible="TK",
                officials=(MAYOR,),
                visibility=Visibility.internal,
            ),
            ProgrammeSpec(
                "mumbai-bedriftsbesok",
                "Bedriftsbesøk i Navi Mumbai",
                2,
                time(9, 30),
                time(12, 0),
                location="Navi Mumbai",
                responsible="NiT",
                visibility=Visibility.internal,
            ),
        ),
    ),
    DelegationSpec(
        "puerto-montt-havbruk",
        "Delegasjon fra Puerto Montt: havbruk",
        Direction.incoming,
        ProtocolLevel.mayoral,
        "CL",
        30,
        days=2,
        arrival=time(9, 30),
        departure=time(15, 0),
        status=DelegationStatus.tentative,
        visibility=Visibility.public,
        city=("Puerto Montt", "CL"),
        co_hosts=("SINTEF", "NTNU"),
        initiative="vennskapsbyer",
        themes=("mat-havbruk", "naeringsliv"),
        head_of_delegation="Ordføreren i Puerto Montt",
        size=6,
        languages="spansk, engelsk",
        needs_interpreter=True,
        programme=(
            ProgrammeSpec(
                "puerto-montt-ordforer",
                "Møte med ordføreren om samarbeidsavtalen",
                0,
                time(10, 0),
                time(11, 30),
                venue=CITY_HALL,
                responsible="TK",
                officials=(MAYOR,),
            ),
            ProgrammeSpec(
                "puerto-montt-sintef",
                "Besøk hos SINTEF: havbruksteknologi",
                0,
                time(13, 0),
                time(15, 0),
                location="SINTEF, Brattørkaia",
                responsible="SINTEF",
            ),
            ProgrammeSpec(
                "puerto-montt-middag",
                "Middag for delegasjonen",
                0,
                time(19, 0),
                time(21, 0),
                venue=HOTEL,
                responsible="TK",
                officials=(DEPUTY_MAYOR,),
                visibility=Visibility.internal,
            ),
            ProgrammeSpec(
                "puerto-montt-froya",
                "Studietur til oppdrettsanlegg på Frøya",
                1,
                time(8, 30),
                time(15, 0),
                location="Frøya",
                responsible="NiT",
                visibility=Visibility.forum,
            ),
        ),
    ),
    DelegationSpec(
        "krakow-offisielt",
        "Offisielt besøk fra Kraków",
        Direction.incoming,
        ProtocolLevel.ambassador,
        "PL",
        37,
        days=1,
        arrival=time(10, 0),
        departure=time(14, 0),
        status=DelegationStatus.enquiry,
        visibility=Visibility.internal,
        city=("Kraków", "PL"),
        initiative="vennskapsbyer",
        themes=("kultur", "naeringsliv"),
        head_of_delegation="Polens ambassadør til Norge",
        notes="Forespørsel via ambassaden; bekreftes når datoen er avklart.",
        programme=(
            ProgrammeSpec(
                "krakow-ordforer",
                "Møte med ordføreren om et bredere vennskapsbysamarbeid",
                0,
                time(10, 0),
                time(11, 30),
                venue=CITY_HALL,
                responsible="TK",
                officials=(MAYOR, DIRECTOR),
                visibility=Visibility.internal,
            ),
        ),
    ),
    DelegationSpec(
        "norrkoping-skole",
        "Nordisk plattform: skoledelegasjon fra Norrköping",
        Direction.incoming,
        ProtocolLevel.youth,
        "SE",
        45,
        days=3,
        arrival=time(9, 30),
        departure=time(14, 0),
        status=DelegationStatus.confirmed,
        visibility=Visibility.public,
        city=("Norrköping", "SE"),
        initiative="barn-og-unge",
        themes=("ungdom", "utdanning-forskning"),
        size=25,
        languages="svensk",
        cost_bearer="Arrangementene går på omgang blant byene og kostnadene dekkes av deltakerne.",
        programme=(
            ProgrammeSpec(
                "norrkoping-laerertreff",
                "Lærertreff i Nordisk plattform",
                0,
                time(10, 0),
                time(15, 0),
                venue=SCIENCE_CENTRE,
                responsible="TK",
            ),
            ProgrammeSpec(
                "norrkoping-rektortreff",
                "Rektortreff",
                1,
                time(9, 0),
                time(12, 0),
                venue=CITY_HALL,
                responsible="TK",
                officials=(DEPUTY_MAYOR,),
            ),
            ProgrammeSpec(
                "norrkoping-koordinatortreff",
                "Koordinatortreff og evaluering",
                2,
                time(9, 0),
                time(12, 0),
                venue=CITY_HALL,
                responsible="TK",
                visibility=Visibility.forum,
            ),
        ),
    ),
)

FOLLOW_UPS: tuple[FollowUpSpec, ...] = (
    FollowUpSpec(
        "chongqing-norway-days-2010",
        "Utarbeide en Kina-strategi for Trøndelag sammen med partnerne",
        ADMIN_EMAIL,
        date(2011, 12, 31),
        FollowUpStatus.in_progress,
        notes="Tiltak 2011 i handlingsprogrammet.",
    ),
    FollowUpSpec(
        "dunfermline-ungdom",
        "Søke Aktiv Ungdom-midler til gjenbesøk i Dunfermline",
        ADMIN_EMAIL,
        21,
        notes="Ungdomsrådet i Dunfermline ønsker å invitere Ungdommens bystyre.",
    ),
)

INTERESTS: tuple[InterestSpec, ...] = (
    InterestSpec(
        "mumbai-naeringsliv",
        MEMBER_EMAIL,
        InterestKind.join_visit,
        "NTNU ønsker å delta med to representanter for å følge opp samarbeidet med IIT Bombay.",
    ),
)

# --- partner submissions, so the moderation queue has content -----------------

#: Submitters are fictional; their addresses use the reserved example domain.
SUBMISSIONS: tuple[SubmissionSpec, ...] = (
    SubmissionSpec(
        "Åpent foredrag: indisk kultur og næringsliv",
        SubmissionState.pending,
        24,
        2,
        time(18, 0),
        time(20, 0),
        "Priya Nair",
        "priya.nair@example.org",
        organiser_name="Indisk kulturforening i Trondheim",
        initiative="india-2011",
        location="Trondheim folkebibliotek",
        description="Et åpent foredrag om indisk kultur og muligheter for **trønderske bedrifter** i India.",
        locale="en",
    ),
    SubmissionSpec(
        "Språkkafé for nye trondheimsstudenter",
        SubmissionState.unconfirmed,
        10,
        0,
        time(17, 0),
        time(19, 0),
        "Ola Nordmann",
        "ola.nordmann@example.org",
        organiser_name="Studentforeningen for internasjonale",
        location="Studentersamfundet",
    ),
    SubmissionSpec(
        "Gratis cruise – klikk her!",
        SubmissionState.rejected,
        14,
        6,
        time(12, 0),
        time(13, 0),
        "Kari Reklame",
        "kari.reklame@example.org",
        organiser_name="Reisebyrå AS",
        description="Reklame for et kommersielt reisetilbud.",
        reject_reason="Kalenderen er for arrangementer i regi av forumets partnere, ikke for reklame.",
    ),
    SubmissionSpec(
        "Eksportseminar: Mumbai-markedet for trønderske bedrifter",
        SubmissionState.approved,
        21,
        9,
        time(9, 0),
        time(11, 30),
        "Per Eksport",
        "per.eksport@example.org",
        organiser="NHO",
        initiative="india-2011",
        location="Scandic Nidelven, Havnegata 1-3, Trondheim",
        description="Foreslått av NHO Trøndelag gjennom skjemaet for partnere og godkjent av internasjonal avdeling.",
        url="https://example.org/eksportseminar-mumbai",
        event="eksportseminar-mumbai",
    ),
)
