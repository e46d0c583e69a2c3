"""The census of the demo council, as the CSV that ``people.services.import_census`` reads.

Every person is invented. Names, streets and numbers follow Barquisimeto (Lara) usage: two
surnames (the father's first surname, then the mother's), carreras and calles by number,
veredas in the newer sectors, cédulas that grow with the year of birth and are issued from
age nine, phone numbers on the national mobile prefixes. Everything is drawn from the
``random.Random`` passed in, so one seed always gives the same census.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from dataclasses import dataclass

from comuna.people.models import years_before
from comuna.people.services import CENSUS_COLUMNS

# fmt: off
# Word lists stay packed; one name per line would make them five times longer.
FEMALE_NAMES = (
    "María", "Carmen", "Yusmely", "Yelitza", "Mariela", "Yajaira", "Nelly", "Zuleima", "Rosa",
    "Luisa", "Ana", "Gabriela", "Daniela", "Andreína", "Génesis", "Yorgelis", "Milagros",
    "Josefina", "Francys", "Marisol", "Yulimar", "Yenny", "Leidy", "Carolina", "Elena",
    "Isabel", "Beatriz", "Dayana", "Oriana", "Valentina", "Camila", "Sofía", "Victoria",
    "Paola", "Alejandra", "Lisbeth", "Maryuri", "Nohemí", "Teresa", "Ramona", "Petra",
    "Eglé", "Thais", "Yolimar", "Dexy", "Anaís", "Fabiola", "Kelly", "Yorleidy", "Antonella",
)
MALE_NAMES = (
    "José", "Luis", "Carlos", "Jesús", "Juan", "Pedro", "Rafael", "Miguel", "Antonio",
    "Francisco", "Ramón", "Manuel", "Alexander", "Jorge", "Víctor", "Wilmer", "Yonathan",
    "Freddy", "Edgar", "Nelson", "Richard", "Omar", "Gustavo", "Héctor", "Ángel", "Daniel",
    "Andrés", "Eduardo", "Alí", "Leonardo", "Roberto", "Ender", "Deivis", "Kevin", "Brayan",
    "Santiago", "Sebastián", "Samuel", "Diego", "Gabriel", "Orlando", "Hermes", "Simón",
    "Argenis", "Yoel", "Wilfredo", "Reinaldo", "Elio", "Jhonny", "Tomás",
)
# Surnames common in Lara, weighted by repetition towards the most frequent.
SURNAMES = (
    "Pérez", "Rodríguez", "González", "Colmenárez", "Mendoza", "Torrealba", "Escalona",
    "Timaure", "Alvarado", "Giménez", "Sivira", "Yépez", "Querales", "Suárez", "Lucena",
    "Peraza", "Piña", "Falcón", "Camacaro", "Riera", "Mujica", "Hernández", "García",
    "Martínez", "López", "Sánchez", "Ramírez", "Torres", "Flores", "Rivero", "Medina",
    "Castillo", "Gil", "Linárez", "Mogollón", "Vásquez", "Álvarez", "Montes", "Pérez",
    "Rodríguez", "González", "Colmenárez", "Mendoza", "Escalona", "Giménez", "Vargas",
    "Arrieche", "Goyo", "Crespo", "Oropeza", "Jiménez", "Daza", "Meléndez", "Nieves",
    "Barrios", "Silva", "Romero", "Rojas", "Salas", "Ochoa", "Cordero", "Morles",
)
MOBILE_PREFIXES = ("0414", "0424", "0412", "0416", "0426")

# Sector -> street pattern. The old sector follows the city grid; the newer ones grew along
# veredas (footpaths) and a callejón down towards the river.
SECTORS = (
    ("Brisas I", "Carrera {a} entre calles {b} y {c}, casa {b}-{n}"),
    ("Brisas I", "Calle {b} con carrera {a}, casa N° {a}-{n}"),
    ("Brisas II", "Vereda {v}, casa {n}"),
    ("Brisas II", "Vereda {v} con calle {b}, casa {n}"),
    ("La Ceiba", "Calle La Ceiba, casa N° {n}"),
    ("La Ceiba", "Callejón El Samán, casa {n}"),
    ("El Manantial", "Sector El Manantial, vereda {v}, casa {n}"),
)

# Birth year -> typical cédula number, from the sequence's history (interpolated between).
CEDULA_BY_YEAR = ((1935, 700_000), (1950, 2_800_000), (1960, 4_800_000), (1970, 9_000_000),
                  (1980, 14_500_000), (1990, 19_800_000), (2000, 26_500_000), (2010, 31_500_000),
                  (2020, 34_000_000))
# fmt: on
CEDULA_MIN_AGE = 9  # the SAIME issues the first cédula at nine


@dataclass(frozen=True, slots=True)
class Person:
    first_names: str
    father_surname: str
    mother_surname: str
    sex: str
    age: int


def first_names(rng: random.Random, sex: str) -> str:
    pool = FEMALE_NAMES if sex == "F" else MALE_NAMES
    if rng.random() < 0.55:  # most Venezuelans carry two given names
        return " ".join(rng.sample(pool, 2))
    return rng.choice(pool)


def _adult(rng: random.Random, sex: str, low: int, high: int) -> Person:
    return Person(
        first_names(rng, sex),
        rng.choice(SURNAMES),
        rng.choice(SURNAMES),
        sex,
        rng.randint(low, high),
    )


def _child(rng: random.Random, mother: Person, father_surname: str) -> Person:
    sex = rng.choice("FM")
    age = rng.randint(0, max(0, min(32, mother.age - 17)))
    return Person(first_names(rng, sex), father_surname, mother.father_surname, sex, age)


def family(rng: random.Random, size: int) -> list[Person]:
    """``size`` people: a couple or a single mother, children, perhaps a grandparent."""
    if size == 1:
        return [_adult(rng, rng.choice("FM"), 22, 88)]
    mother = _adult(rng, "F", 20, 68)
    people = [mother]
    father_surname = rng.choice(SURNAMES)
    if rng.random() < 0.6:
        father = _adult(rng, "M", max(18, mother.age - 4), mother.age + 9)
        people.append(father)
        father_surname = father.father_surname
    if size >= 4 and rng.random() < 0.35:
        oldest = min(95, mother.age + 30)  # a grandparent
        people.append(_adult(rng, rng.choice("FM"), min(oldest, mother.age + 19), oldest))
    while len(people) < size:
        people.append(_child(rng, mother, father_surname))
    return people


def household_sizes(rng: random.Random, households: int, residents: int) -> list[int]:
    """Sizes that sum to exactly ``residents``, shaped like a barrio's (mostly 2 to 5)."""
    if residents < households:
        raise ValueError("the demo needs at least one resident per household")
    sizes = rng.choices(range(1, 8), weights=(12, 25, 25, 20, 10, 5, 3), k=households)
    while sum(sizes) > residents:
        i = rng.randrange(households)
        sizes[i] -= sizes[i] > 1
    while sum(sizes) < residents:
        i = rng.randrange(households)
        sizes[i] += sizes[i] < 9
    return sizes


def address(rng: random.Random) -> tuple[str, str]:
    sector, pattern = rng.choice(SECTORS)
    a, b = rng.randint(1, 6), rng.randint(1, 9)
    text = pattern.format(a=a, b=b, c=b + 1, v=rng.randint(1, 14), n=rng.randint(1, 90))
    return sector, text


def cedula(rng: random.Random, birth: dt.date, taken: set[str]) -> str:
    if rng.random() < 0.04:  # Colombian neighbours with a foreigner's cédula
        prefix, number = "E", rng.randint(81_000_000, 84_999_999)
    else:
        prefix, number = "V", _interpolate(birth.year) + rng.randint(-600_000, 600_000)
    text = f"{prefix}-{number:,}".replace(",", ".")
    if text in taken:
        return cedula(rng, birth, taken)
    taken.add(text)
    return text


def _interpolate(year: int) -> int:
    points = CEDULA_BY_YEAR
    if year <= points[0][0]:
        return points[0][1]
    for (y0, n0), (y1, n1) in zip(points, points[1:], strict=False):
        if year <= y1:
            return n0 + (n1 - n0) * (year - y0) // (y1 - y0)
    return points[-1][1]


def phone(rng: random.Random) -> str:
    return f"{rng.choice(MOBILE_PREFIXES)}-{rng.randint(1_000_000, 9_999_999)}"


def birth_date(rng: random.Random, age: int, today: dt.date) -> dt.date:
    """A date of birth that gives exactly ``age`` on ``today``."""
    latest = years_before(today, age)
    # Never the last two days: a baby is registered after being born, even at midnight.
    return latest - dt.timedelta(days=rng.randint(2, 364))


def census_rows(
    rng: random.Random, households: int, residents: int, today: dt.date, moved_in_by: dt.date
) -> list[dict[str, str]]:
    """One row per resident, in the column order of ``CENSUS_COLUMNS``."""
    rows: list[dict[str, str]] = []
    taken: set[str] = set()
    for number, size in enumerate(household_sizes(rng, households, residents), 1):
        sector, where = address(rng)
        moved_in = moved_in_by - dt.timedelta(days=rng.randint(60, 40 * 365))
        for person in family(rng, size):
            born = birth_date(rng, person.age, today)
            rows.append(
                {
                    "household_code": f"BT-{number:03d}",
                    "address": where,
                    "sector": sector,
                    "first_names": person.first_names,
                    "last_names": f"{person.father_surname} {person.mother_surname}",
                    "id_number": cedula(rng, born, taken) if person.age >= CEDULA_MIN_AGE else "",
                    "birth_date": born.isoformat(),
                    "sex": person.sex,
                    "resident_since": max(moved_in, born).isoformat(),
                    "phone": phone(rng) if person.age >= 16 and rng.random() < 0.85 else "",
                }
            )
    return rows


def as_csv(rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CENSUS_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()
