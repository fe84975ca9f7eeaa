"""Small files in the official shapes, made by the tests themselves."""

import io
import json

import pytest

from monitor import services


@pytest.fixture
def measures(db):
    services.load_reference()


def tidy(rows, header="geo_code,year,measure,value,source"):
    lines = [header, *(",".join(str(cell) for cell in row) for row in rows)]
    return io.BytesIO(("\n".join(lines) + "\n").encode())


def odata(rows, table="85984NED"):
    """A TypedDataSet of a Kerncijfers wijken en buurten table: codes padded with
    spaces, the kind of region in SoortRegio_2, variables with numbered suffixes."""
    return io.BytesIO(
        json.dumps(
            {
                "odata.metadata": f"https://opendata.cbs.nl/ODataApi/OData/{table}/$metadata#Cbs.OData.WebAPI.TypedDataSet",
                "value": [
                    {
                        "ID": index,
                        "WijkenEnBuurten": code.ljust(10),
                        "Gemeentenaam_1": "Rotterdam".ljust(50),
                        "SoortRegio_2": kind.ljust(10),
                        "Codering_3": code.ljust(10),
                        "AantalInwoners_5": inhabitants,
                        "InBezitWoningcorporatie_49": social,
                    }
                    for index, (code, kind, inhabitants, social) in enumerate(rows)
                ],
            }
        ).encode()
    )


def cbs_csv(rows):
    header = "ID;WijkenEnBuurten;Gemeentenaam_1;SoortRegio_2;Codering_3;AantalInwoners_5;HuishoudensMetEenLaagInkomen_78"
    lines = [header]
    for index, (code, kind, inhabitants, low) in enumerate(rows):
        lines.append(
            f'{index};"{code:<10}";"Rotterdam";"{kind:<10}";"{code:<10}";{inhabitants};{low}'
        )
    return io.BytesIO(("\n".join(lines) + "\n").encode())


def leefbaarometer(rows):
    lines = ["bu_code,bu_naam,jaar,lbm,afw,fys,onv,soc,vrz,won"]
    lines += [",".join(str(cell) for cell in row) for row in rows]
    return io.BytesIO(("\n".join(lines) + "\n").encode())
