"""Tables of the directory: who and where the calendar is about."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import Model, UTCDateTime, db, enum_column_type


class OrganisationKind(enum.StrEnum):
    """What sort of body an organisation is."""

    municipality = "municipality"
    county = "county"
    university = "university"
    research = "research"
    business = "business"
    public_agency = "public_agency"
    consulate = "consulate"
    culture = "culture"
    foreign = "foreign"
    other = "other"


class CityRelation(enum.StrEnum):
    """The city's tie to another city."""

    friendship = "friendship"  # vennskapsby, category 1-4
    partner = "partner"
    none = "none"


initiative_working_groups = sa.Table(
    "initiative_working_groups",
    db.metadata,
    sa.Column(
        "initiative_id",
        sa.ForeignKey("initiatives.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column(
        "organisation_id",
        sa.ForeignKey("organisations.id", ondelete="CASCADE"),
        primary_key=True,
    ),
)


class Organisation(Model):
    """A forum member, a partner or a foreign organisation."""

    __tablename__ = "organisations"
    #: Its name shows in calendar entries and feeds: a change raises the calendar version.
    shown_in_calendar = True

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    #: Short name used across the programme: NTNU, IN, NiT, STFK, TK, CC ...
    short_name: Mapped[str] = mapped_column(sa.String(40), unique=True)
    kind: Mapped[OrganisationKind] = mapped_column(
        enum_column_type(OrganisationKind, "kind"), default=OrganisationKind.other
    )
    is_forum_member: Mapped[bool] = mapped_column(default=False)
    #: Events submitted by this organisation's members skip moderation.
    is_trusted: Mapped[bool] = mapped_column(default=False)
    website: Mapped[str] = mapped_column(sa.String(500), default="")

    def __repr__(self) -> str:
        return f"<Organisation {self.short_name}>"

    @property
    def label(self) -> str:
        """Its name in a picker: "NTNU – Norges teknisk-...", or "SINTEF" once when both agree."""
        if not self.name.strip() or self.name.casefold() == self.short_name.casefold():
            return self.short_name
        return f"{self.short_name} – {self.name}"


class City(Model):
    """A city the programme deals with, and its relation to ours."""

    __tablename__ = "cities"
    #: Its name shows in calendar entries and feeds: a change raises the calendar version.
    shown_in_calendar = True

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    #: ISO 3166-1 alpha-2 country code.
    country: Mapped[str] = mapped_column(sa.String(2))
    relation: Mapped[CityRelation] = mapped_column(
        enum_column_type(CityRelation, "relation"), default=CityRelation.none
    )
    #: Friendship-city category 1 (most active) to 4; only for friendship cities.
    friendship_category: Mapped[int | None] = mapped_column()

    __table_args__ = (
        sa.UniqueConstraint("name", "country"),
        sa.CheckConstraint(
            "(relation = 'friendship' AND friendship_category IS NOT NULL AND friendship_category BETWEEN 1 AND 4)"
            " OR (relation != 'friendship' AND friendship_category IS NULL)",
            name="friendship_category",
        ),
    )

    def __repr__(self) -> str:
        return f"<City {self.name}, {self.country}>"


class Theme(Model):
    """A subject area (energy, education, culture ...) for filtering."""

    __tablename__ = "themes"
    #: Its name shows in calendar entries and feeds: a change raises the calendar version.
    shown_in_calendar = True

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(60), unique=True)
    name_nb: Mapped[str] = mapped_column(sa.String(120))
    name_en: Mapped[str] = mapped_column(sa.String(120))

    def name(self, locale: str) -> str:
        return self.name_nb if locale == "nb" else self.name_en

    def __repr__(self) -> str:
        return f"<Theme {self.slug}>"


class Initiative(Model):
    """A row of the action-programme matrix (tema), e.g. "India 2011"."""

    __tablename__ = "initiatives"
    #: Its name shows in calendar entries and feeds: a change raises the calendar version.
    shown_in_calendar = True

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    #: Programme period the row belongs to, e.g. "2011-2012".
    programme_period: Mapped[str] = mapped_column(sa.String(20))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    #: Matrix cells: aktører, gjennomført, planlagt, status.
    actors: Mapped[str] = mapped_column(sa.Text, default="")
    done: Mapped[str] = mapped_column(sa.Text, default="")
    planned: Mapped[str] = mapped_column(sa.Text, default="")
    status: Mapped[str] = mapped_column(sa.Text, default="")
    status_as_of: Mapped[date | None] = mapped_column()
    #: Raised by every save: an editor who loaded an older one gets a conflict.
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    working_group: Mapped[list[Organisation]] = relationship(
        secondary=initiative_working_groups, order_by=Organisation.short_name
    )
    #: The row's cells as they stood at each status date, oldest first.
    snapshots: Mapped[list[InitiativeSnapshot]] = relationship(
        back_populates="initiative",
        order_by="InitiativeSnapshot.as_of",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 -- SQLAlchemy's declarative API

    def __repr__(self) -> str:
        return f"<Initiative {self.slug}>"


class InitiativeSnapshot(Model):
    """A matrix row's cells as reported at one status date ("Status per 31.12.2010").

    One per initiative and date: saving the row again with the same date
    corrects that snapshot, saving it with a later date starts a new one, so
    past reports stay readable and can be compared with the current one.
    """

    __tablename__ = "initiative_snapshots"

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(
        sa.ForeignKey("initiatives.id", ondelete="CASCADE")
    )
    as_of: Mapped[date] = mapped_column()
    actors: Mapped[str] = mapped_column(sa.Text, default="")
    done: Mapped[str] = mapped_column(sa.Text, default="")
    planned: Mapped[str] = mapped_column(sa.Text, default="")
    status: Mapped[str] = mapped_column(sa.Text, default="")
    recorded_dt: Mapped[datetime] = mapped_column(UTCDateTime)
    #: Null for the demo data, migrated rows and a deleted account.
    recorded_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )

    initiative: Mapped[Initiative] = relationship(back_populates="snapshots")

    __table_args__ = (sa.UniqueConstraint("initiative_id", "as_of"),)

    def __repr__(self) -> str:
        return f"<InitiativeSnapshot {self.initiative_id} {self.as_of}>"


class Venue(Model):
    """A place where programme items happen, checked for double bookings."""

    __tablename__ = "venues"
    #: Its name shows in calendar entries and feeds: a change raises the calendar version.
    shown_in_calendar = True

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    address: Mapped[str] = mapped_column(sa.String(300), default="")
    capacity: Mapped[int | None] = mapped_column()

    __table_args__ = (
        sa.CheckConstraint(
            "capacity IS NULL OR capacity > 0", name="capacity_positive"
        ),
    )

    def __repr__(self) -> str:
        return f"<Venue {self.name}>"


class Official(Model):
    """A person whose diary matters: the mayor, a deputy, a director."""

    __tablename__ = "officials"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    title: Mapped[str] = mapped_column(sa.String(200), default="")
    #: Set when the official also has an account (for reminders).
    user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )

    def __repr__(self) -> str:
        return f"<Official {self.name}>"
