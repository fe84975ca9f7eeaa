"""On PostgreSQL the database itself refuses changes to a closed quarter's reported
data, so not even raw SQL changes a locked report; workflow transitions are
append-only there too. (SQLite relies on the model and queryset checks.)"""

from django.db import migrations

CREATE = r"""
-- $1, not a parameter name: a name like "quarter" would resolve to the column.
CREATE OR REPLACE FUNCTION reporting_quarter_is_closed(bigint) RETURNS boolean AS $$
    SELECT EXISTS (
        SELECT 1 FROM programme_reportingperiod WHERE id = $1 AND status = 'closed'
    )
$$ LANGUAGE sql STABLE;

CREATE OR REPLACE FUNCTION reporting_quarter_of(tbl text, rec jsonb) RETURNS bigint AS $$
    SELECT CASE tbl
        WHEN 'reporting_areareport' THEN (rec->>'period_id')::bigint
        WHEN 'reporting_progressupdate' THEN (rec->>'period_id')::bigint
        WHEN 'reporting_indicatorvalue' THEN (
            SELECT period_id FROM reporting_progressupdate WHERE id = (rec->>'update_id')::bigint)
        ELSE (SELECT period_id FROM reporting_areareport WHERE id = (rec->>'report_id')::bigint)
    END
$$ LANGUAGE sql STABLE;

CREATE OR REPLACE FUNCTION reporting_refuse_closed_quarter() RETURNS trigger AS $$
DECLARE
    answer_only boolean := false;
BEGIN
    IF TG_TABLE_NAME = 'reporting_escalation' AND TG_OP = 'UPDATE' THEN
        -- The Rijk's answer may follow after the quarter closed.
        answer_only := (to_jsonb(NEW) - ARRAY['status', 'answer', 'answered_at', 'version'])
                       = (to_jsonb(OLD) - ARRAY['status', 'answer', 'answered_at', 'version']);
    END IF;
    IF NOT answer_only AND (
        (TG_OP <> 'INSERT' AND reporting_quarter_is_closed(reporting_quarter_of(TG_TABLE_NAME, to_jsonb(OLD))))
        OR (TG_OP <> 'DELETE' AND reporting_quarter_is_closed(reporting_quarter_of(TG_TABLE_NAME, to_jsonb(NEW))))
    ) THEN
        RAISE EXCEPTION 'The quarter is closed: % on % refused.', TG_OP, TG_TABLE_NAME
            USING ERRCODE = 'check_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION reporting_refuse_rewriting_history() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'Workflow transitions are append-only: % on % refused.', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'check_violation';
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER areareport_closed_quarter BEFORE INSERT OR UPDATE OR DELETE
    ON reporting_areareport FOR EACH ROW EXECUTE FUNCTION reporting_refuse_closed_quarter();
CREATE TRIGGER progressupdate_closed_quarter BEFORE INSERT OR UPDATE OR DELETE
    ON reporting_progressupdate FOR EACH ROW EXECUTE FUNCTION reporting_refuse_closed_quarter();
CREATE TRIGGER indicatorvalue_closed_quarter BEFORE INSERT OR UPDATE OR DELETE
    ON reporting_indicatorvalue FOR EACH ROW EXECUTE FUNCTION reporting_refuse_closed_quarter();
CREATE TRIGGER escalation_closed_quarter BEFORE INSERT OR UPDATE OR DELETE
    ON reporting_escalation FOR EACH ROW EXECUTE FUNCTION reporting_refuse_closed_quarter();
CREATE TRIGGER reporttransition_closed_quarter BEFORE INSERT
    ON reporting_reporttransition FOR EACH ROW EXECUTE FUNCTION reporting_refuse_closed_quarter();
CREATE TRIGGER reporttransition_append_only BEFORE UPDATE OR DELETE
    ON reporting_reporttransition FOR EACH ROW EXECUTE FUNCTION reporting_refuse_rewriting_history();
CREATE TRIGGER quartertransition_append_only BEFORE UPDATE OR DELETE
    ON reporting_quartertransition FOR EACH ROW EXECUTE FUNCTION reporting_refuse_rewriting_history();
"""

DROP = """
DROP TRIGGER IF EXISTS areareport_closed_quarter ON reporting_areareport;
DROP TRIGGER IF EXISTS progressupdate_closed_quarter ON reporting_progressupdate;
DROP TRIGGER IF EXISTS indicatorvalue_closed_quarter ON reporting_indicatorvalue;
DROP TRIGGER IF EXISTS escalation_closed_quarter ON reporting_escalation;
DROP TRIGGER IF EXISTS reporttransition_closed_quarter ON reporting_reporttransition;
DROP TRIGGER IF EXISTS reporttransition_append_only ON reporting_reporttransition;
DROP TRIGGER IF EXISTS quartertransition_append_only ON reporting_quartertransition;
DROP FUNCTION IF EXISTS reporting_refuse_closed_quarter();
DROP FUNCTION IF EXISTS reporting_refuse_rewriting_history();
DROP FUNCTION IF EXISTS reporting_quarter_of(text, jsonb);
DROP FUNCTION IF EXISTS reporting_quarter_is_closed(bigint);
"""


def on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("reporting", "0002_roles")]

    operations = [migrations.RunPython(on_postgresql(CREATE), on_postgresql(DROP))]
