package dev.vellum.archive;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The Athena {@code CREATE EXTERNAL TABLE} for a Vellum archive in S3, with partition projection
 * over the archive's layout so that no crawler or {@code MSCK REPAIR} is needed. The partition
 * columns are named {@code p_*} because Athena forbids a partition column named like a data column
 * ({@code tenant}, {@code source} and {@code type} are both); {@code storage.location.template}
 * maps them onto the {@code tenant=…/source=…/type=…/year=…/month=…/day=…} folders.
 */
public final class AthenaDdl {
  private AthenaDdl() {}

  /**
   * {@code location} is {@code s3://bucket/prefix} (no trailing slash); {@code sources} and {@code
   * types} list the values to project, or are empty to make queries name them (injected).
   */
  public static String render(
      String table, String location, List<String> sources, List<String> types, int firstYear) {
    String base = location.endsWith("/") ? location.substring(0, location.length() - 1) : location;
    StringBuilder sql = new StringBuilder();
    sql.append("CREATE EXTERNAL TABLE IF NOT EXISTS ").append(table).append(" (\n");
    List<String> columns = new ArrayList<>();
    for (String column : ParquetFiles.COLUMNS.split(",")) {
      String[] nameType = column.trim().split(" ");
      columns.add("  `" + nameType[0] + "` " + athenaType(nameType[1]));
    }
    sql.append(String.join(",\n", columns)).append("\n)\n");
    sql.append(
        "PARTITIONED BY (p_tenant string, p_source string, p_type string,"
            + " p_year int, p_month int, p_day int)\n");
    sql.append("STORED AS PARQUET\n");
    sql.append("LOCATION '").append(base).append("/'\n");
    sql.append("TBLPROPERTIES (\n");
    List<String> props = new ArrayList<>();
    props.add(prop("parquet.compression", "ZSTD"));
    props.add(prop("projection.enabled", "true"));
    props.add(prop("projection.p_tenant.type", "injected"));
    projected(props, "p_source", sources);
    projected(props, "p_type", types);
    props.add(prop("projection.p_year.type", "integer"));
    props.add(prop("projection.p_year.range", firstYear + ",2099"));
    props.add(prop("projection.p_month.type", "integer"));
    props.add(prop("projection.p_month.range", "1,12"));
    props.add(prop("projection.p_month.digits", "2"));
    props.add(prop("projection.p_day.type", "integer"));
    props.add(prop("projection.p_day.range", "1,31"));
    props.add(prop("projection.p_day.digits", "2"));
    props.add(
        prop(
            "storage.location.template",
            base
                + "/tenant=${p_tenant}/source=${p_source}/type=${p_type}"
                + "/year=${p_year}/month=${p_month}/day=${p_day}/"));
    sql.append(String.join(",\n", props)).append("\n);\n");
    return sql.toString();
  }

  private static void projected(List<String> props, String column, List<String> values) {
    if (values.isEmpty()) {
      props.add(prop("projection." + column + ".type", "injected"));
    } else {
      props.add(prop("projection." + column + ".type", "enum"));
      props.add(prop("projection." + column + ".values", String.join(",", values)));
    }
  }

  private static String prop(String name, String value) {
    return "  '" + name + "'='" + value.replace("'", "''") + "'";
  }

  private static String athenaType(String duckType) {
    switch (duckType.toUpperCase(Locale.ROOT)) {
      case "BIGINT":
        return "bigint";
      case "INTEGER":
        return "int";
      case "TIMESTAMP":
        return "timestamp";
      default:
        return "string";
    }
  }
}
