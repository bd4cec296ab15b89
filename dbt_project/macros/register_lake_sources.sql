{#- On Spark the sources are the Parquet exports of the raw tables (CHOKEPOINT_LAKE_DIR,
    one folder per schema.table), registered as external tables before each run. On
    DuckDB the sources are the raw tables the Dagster assets write: nothing to do. -#}
{% macro register_lake_sources() %}
    {% if target.type == 'spark' and execute %}
        {% set lake = env_var('CHOKEPOINT_LAKE_DIR') %}
        {% for node in graph.sources.values() %}
            {% do run_query('create database if not exists ' ~ node.schema) %}
            {% do run_query('drop table if exists ' ~ node.schema ~ '.' ~ node.name) %}
            {% do run_query('create table ' ~ node.schema ~ '.' ~ node.name
                ~ " using parquet location '" ~ lake ~ '/' ~ node.schema ~ '.' ~ node.name ~ "'") %}
        {% endfor %}
    {% endif %}
{% endmacro %}
