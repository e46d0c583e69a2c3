"""What happened in the demo council's year: agendas, debates, motions and their outcomes.

Plain data, in Spanish as a council would write it; ``comuna.demo`` plays it through the real
services. Turnout falls over the year — first call, then second call, then one Saturday
without quorum — because that drift is what Comuna exists to make visible. Vote shares are
percentages of the attendees who vote; the rest abstain.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

OPEN_COUNT, OPEN_ROLL = "open_count", "open_roll"
SECRET_COUNT, SECRET_PHONE = "secret_count", "secret_phone"
COMMITTEE, AMENDMENT = "create_committee", "amend_ruleset"

# The accounts, here so that `comuna demo --help` lists them without setting Django up.
DEMO_PASSWORD = "comuna-demo"
# username -> (``Role.Kind`` in the council, what the account is for). ``None``: superuser.
ACCOUNTS: dict[str, tuple[str | None, str]] = {
    "vocera": ("spokesperson", "spokesperson: convenes, takes attendance, runs votes"),
    "promotor": ("promoter", "promoter who founded the council"),
    "electoral": ("electoral_commission", "electoral commission"),
    "admin": (None, "superuser of the /admin/ site"),
}

CASA_COMUNAL = "Casa comunal Brisas del Turbio, calle 3 con carrera 2"
CANCHA = "Cancha de usos múltiples de la vereda 7"
ESCUELA = "Escuela Básica Nacional Brisas del Turbio, patio central"


@dataclass(frozen=True, slots=True)
class Vote:
    title: str
    text: str
    method: str
    yes: int
    no: int
    kind: str = "general"
    payload: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Item:
    title: str
    notes: str = ""
    votes: tuple[Vote, ...] = ()


@dataclass(frozen=True, slots=True)
class Meeting:
    turnout: int
    """Attendance in percent of the electorate (clamped to what ``call`` needs)."""
    call: int
    """1 or 2: the call it opened on; 0: not held, no quorum on the second call."""
    hour: int
    place: str
    items: tuple[Item, ...]
    summary: str = ""
    newcomers: bool = False
    """New families arrive in the weeks before this meeting (registered one by one)."""


def committee(name: str, method: str, yes: int, no: int, why: str) -> Vote:
    return Vote(f"Crear el {name}", why, method, yes, no, COMMITTEE, {"committee": name})


VARIOS = Item("Puntos varios")

# fmt: off
# The year reads like a minute book only when each meeting stays compact; the formatter would
# put every argument on its own line and triple the length.
PAST_YEAR: tuple[Meeting, ...] = (
    Meeting(41, 1, 9, CASA_COMUNAL, (
        Item("Instalación de la asamblea y presentación del censo demográfico",
             "El equipo promotor presentó el censo casa por casa y el croquis del sector. "
             "Se acordó colocar el listado en la casa comunal para que cada familia lo revise."),
        Item("Creación del Comité de Salud",
             "La señora Nelly Escalona explicó que el ambulatorio no lleva el control de los "
             "hipertensos del sector. Se propone un comité que haga el censo de salud.",
             (committee("Comité de Salud", OPEN_COUNT, 88, 4,
                        "Censo de salud, control de crónicos y enlace con el ambulatorio."),)),
        Item("Creación de la Mesa Técnica de Agua",
             "Brisas II recibe agua un solo día por semana y La Ceiba depende del camión "
             "cisterna. Varios vecinos piden organizarse frente a Hidrolara.",
             (committee("Mesa Técnica de Agua", OPEN_COUNT, 91, 2,
                        "Diagnóstico de la red, ciclo de bombeo y gestión ante Hidrolara."),)),
        VARIOS,
    ), "Primera asamblea con el censo. Se crean el Comité de Salud y la Mesa Técnica de Agua."),
    Meeting(38, 1, 9, CASA_COMUNAL, (
        Item("Suministro de agua: ciclo de bombeo",
             "La Mesa Técnica de Agua presentó el mapa de la red: la tubería de la calle 3 "
             "pierde presión. Propone pedir el bombeo los martes y viernes.",
             (Vote("Solicitar a Hidrolara el bombeo los martes y viernes",
                   "Carta firmada por la asamblea, entregada por la Mesa Técnica de Agua.",
                   OPEN_ROLL, 80, 10),)),
        Item("Creación del Comité de Alimentación y Defensa del Consumidor",
             "Hoy la bolsa CLAP la reparte un vecino sin listado público. Se propone un "
             "comité que lleve el listado y el cronograma.",
             (committee("Comité de Alimentación y Defensa del Consumidor", OPEN_COUNT, 85, 5,
                        "Listado de familias, cronograma y cuentas de la bolsa CLAP."),)),
        VARIOS,
    ), "Se pide a Hidrolara un nuevo ciclo de bombeo y se crea el Comité de Alimentación."),
    Meeting(36, 1, 9, ESCUELA, (
        Item("Seguridad: alumbrado de las veredas",
             "Tres robos en la vereda 9 en el último mes. Faltan 14 luminarias entre Brisas II "
             "y El Manantial.",
             (committee("Comité de Seguridad y Defensa Integral", OPEN_COUNT, 79, 8,
                        "Inventario de luminarias, rondas vecinales y enlace con el cuadrante."),)),
        Item("Distribución de la bolsa CLAP",
             "El Comité de Alimentación propone repartir por sector, un sábado cada uno, con "
             "el listado pegado en la casa comunal.",
             (Vote("Repartir la bolsa CLAP por sector, un sábado por sector",
                   "Listado público por sector; quien no pueda ir la retira un familiar.",
                   SECRET_PHONE, 72, 18),)),
        VARIOS,
    ), "Se crea el Comité de Seguridad; la bolsa CLAP se repartirá por sectores."),
    Meeting(33, 1, 9, CASA_COMUNAL, (
        Item("Diagnóstico participativo para el Plan Comunitario de Desarrollo Integral",
             "Se trabajó en mesas por sector. Problemas más nombrados: agua, alumbrado, "
             "aguas servidas en El Manantial y la cancha sin techo.",
             (Vote("Aprobar el diagnóstico participativo del Plan Comunitario",
                   "Documento de las mesas por sector, fase de diagnóstico del ciclo comunal.",
                   OPEN_COUNT, 76, 6),)),
        Item("Operativo de salud y vacunación",
             "El Comité de Salud coordinó con el ambulatorio una jornada de vacunación infantil "
             "y toma de tensión.",
             (Vote("Realizar la jornada de vacunación en la casa comunal",
                   "Sábado de la semana siguiente, de 8 a 12.", OPEN_COUNT, 90, 0),)),
    ), "Aprobado el diagnóstico del Plan Comunitario; jornada de vacunación acordada.",
        newcomers=True),
    Meeting(31, 1, 9, CASA_COMUNAL, (
        Item("Adecuación de los estatutos a la reforma de la LOCC de 2023",
             "La comisión electoral explicó que la reforma lleva el período de los voceros a "
             "tres años. Hubo quien pidió mantener dos años para rotar más.",
             (Vote("Llevar el período de los voceros y voceras a tres años",
                   "Reforma de los estatutos según la Ley de Reforma de la LOCC (2023).",
                   SECRET_PHONE, 66, 26, AMENDMENT, {"changes": {"spokesperson_term_years": 3}}),)),
        Item("Informe de la Unidad Administrativa y Financiera Comunitaria",
             "La UAFC presentó el estado de los cuatro fondos internos. Se pidió publicar los "
             "soportes en la cartelera."),
        VARIOS,
    ), "Se reforman los estatutos: los voceros tendrán períodos de tres años."),
    Meeting(27, 2, 9, CANCHA, (
        Item("Plan Comunitario: prioridades",
             "Se votó la primera prioridad del plan. La tubería de la calle 3 y el techo de la "
             "cancha fueron las dos propuestas más apoyadas.",
             (Vote("Priorizar la sustitución de la tubería matriz de la calle 3",
                   "Primera prioridad del Plan Comunitario de Desarrollo Integral.",
                   OPEN_ROLL, 63, 25),)),
        Item("Portón en la entrada de la vereda 9",
             "Algunos vecinos piden cerrar la vereda de noche; otros temen que se cierre el paso "
             "a la escuela y a las ambulancias.",
             (Vote("Instalar un portón en la entrada de la vereda 9",
                   "Cerrado de 10 de la noche a 5 de la mañana.", SECRET_PHONE, 31, 58),)),
    ), "La asamblea abrió en segunda convocatoria. Prioridad: la tubería de la calle 3; el "
       "portón de la vereda 9 fue rechazado."),
    Meeting(26, 2, 9, CANCHA, (
        Item("Creación del Comité de Deporte y Recreación",
             "Los jóvenes de Brisas II pidieron organizar la liga de fútbol sala y el uso de la "
             "cancha por horario.",
             (committee("Comité de Deporte y Recreación", OPEN_COUNT, 82, 6,
                        "Liga de fútbol sala, horarios de la cancha y vacaciones comunitarias."),)),
        Item("Plan vacacional comunitario",
             "Propuesta de dos semanas de actividades para niños y niñas en la escuela.",
             (Vote("Realizar el plan vacacional en la escuela durante agosto",
                   "Con voluntarios de la comunidad y apoyo del Comité de Deporte.",
                   OPEN_COUNT, 85, 3),)),
        VARIOS,
    ), "Segunda convocatoria. Se crea el Comité de Deporte y se aprueba el plan vacacional."),
    Meeting(14, 0, 9, CASA_COMUNAL, (
        Item("Rendición de cuentas del Comité de Alimentación"),
        Item("Operativo de fin de año"),
    )),
    Meeting(24, 2, 9, CASA_COMUNAL, (
        Item("Informe del Comité de Alimentación",
             "Se repartieron las bolsas de los cuatro sectores. Quedaron 6 familias sin "
             "retirar; se les avisará por la vocería de cada vereda."),
        Item("Proyecto de sustitución de la tubería matriz",
             "La Mesa Técnica de Agua presentó el cómputo métrico: 420 metros de tubo de 4 "
             "pulgadas y mano de obra de la comunidad.",
             (Vote("Aprobar el proyecto de la tubería matriz para presentarlo a financiamiento",
                   "Presupuesto y cómputo métrico de la Mesa Técnica de Agua.",
                   SECRET_COUNT, 70, 12),)),
        Item("La participación en la asamblea",
             "La asamblea pasada no se pudo realizar. Muchos trabajan los sábados en la mañana. "
             "Se propone cambiar la hora y avisar por sector con perifoneo.",
             (Vote("Convocar las asambleas los sábados a las 4 de la tarde, en la cancha",
                   "Con perifoneo por sector el jueves y el viernes anteriores.",
                   OPEN_COUNT, 74, 10),)),
    ), "Tras la asamblea sin quórum se cambia el horario. Aprobado el proyecto de la tubería."),
    Meeting(23, 2, 16, CANCHA, (
        Item("Creación del Comité de Familia e Igualdad de Género",
             "Las vecinas de La Ceiba propusieron el comité para acompañar casos de violencia "
             "y organizar el cuidado de los niños durante las asambleas.",
             (committee("Comité de Familia e Igualdad de Género", OPEN_ROLL, 66, 18,
                        "Acompañamiento, cuidado infantil en las asambleas, talleres."),)),
        Item("Contraloría social sobre la bolsa CLAP",
             "La Unidad de Contraloría Social recibió quejas: el listado no se actualizó con "
             "las familias nuevas.",
             (Vote("Publicar el listado de beneficiarios CLAP por sector cada mes",
                   "El Comité de Alimentación lo pega en la casa comunal y en cada vereda.",
                   OPEN_COUNT, 81, 4),)),
        VARIOS,
    ), "Se crea el Comité de Familia e Igualdad de Género; el listado CLAP será público cada mes."),
    Meeting(22, 2, 16, CANCHA, (
        Item("Avance de la obra de la tubería",
             "Se recibió el 60 % del tubo. La comunidad cavó la zanja de la calle 3 en dos "
             "jornadas de trabajo voluntario."),
        Item("Rendición de cuentas trimestral de la UAFC",
             "Ingresos y egresos del trimestre con sus soportes. Saldo del fondo de ahorro y "
             "crédito social sin cambios.",
             (Vote("Aprobar la rendición de cuentas del trimestre",
                   "Informe de la UAFC con soportes, revisado por la Contraloría Social.",
                   OPEN_COUNT, 71, 9),)),
        Item("Uso de la casa comunal por la Misión Robinson",
             "La misión pide el salón tres tardes por semana.",
             (Vote("Ceder la casa comunal a la Misión Robinson lunes, miércoles y viernes",
                   "De 2 a 5 de la tarde, sin costo.", SECRET_PHONE, 77, 13),)),
    ), "Cuentas del trimestre aprobadas; la casa comunal acoge a la Misión Robinson."),
    Meeting(22, 2, 16, CANCHA, (
        Item("Jornada de limpieza de la quebrada y la orilla del río Turbio",
             "El Comité de Salud advierte criaderos de zancudos tras las lluvias.",
             (Vote("Hacer la jornada de limpieza el último domingo del mes",
                   "Con apoyo de la alcaldía para el camión de recolección.",
                   OPEN_COUNT, 86, 2),)),
        Item("Rondas vecinales nocturnas",
             "El Comité de Seguridad propone rondas los viernes y sábados. Hubo objeciones por "
             "el riesgo para los voluntarios.",
             (Vote("Organizar rondas vecinales los viernes y sábados en la noche",
                   "Por turnos de cuatro vecinos, coordinadas con el cuadrante de paz.",
                   OPEN_ROLL, 60, 30),)),
        Item("Creación del Comité de Educación, Cultura y Formación Ciudadana",
             "Propuesta de la Misión Robinson y de los docentes de la escuela.",
             (committee("Comité de Educación, Cultura y Formación Ciudadana", OPEN_COUNT, 79, 5,
                        "Formación ciudadana, biblioteca comunitaria y apoyo escolar."),)),
    ), "Jornada de limpieza, rondas vecinales y un nuevo Comité de Educación."),
)

TODAY = (
    Item("Informe de la Mesa Técnica de Agua: nuevo horario de bombeo"),
    Item("Jornada de vacunación antirrábica y desparasitación", votes=(
        Vote("Realizar la jornada de vacunación antirrábica el sábado próximo",
             "En la casa comunal, de 8 a 12, con el Comité de Salud.", OPEN_COUNT, 0, 0),)),
    Item("Horario de las asambleas", votes=(
        Vote("Volver a convocar las asambleas los sábados a las 9 de la mañana",
             "Propuesta de los vecinos de Brisas I.", SECRET_PHONE, 0, 0),)),
    VARIOS,
)
# fmt: on
TODAY_NOTICE = (
    "Asamblea ordinaria. Traiga su cédula: la asistencia se registra en la entrada y "
    "cada asistente recibe un código para votar desde su teléfono."
)

NEXT_WEEK = (
    Item("Rendición de cuentas anual de la Unidad de Contraloría Social"),
    Item("Presentación del Plan Comunitario de Desarrollo Integral para su aprobación"),
    Item("Convocatoria a elecciones de voceros y voceras"),
)
NEXT_WEEK_NOTICE = "Asamblea extraordinaria convocada por el Colectivo de Coordinación Comunitaria."
