package io.slotkeeper;

import java.util.Objects;

/**
 * A table by schema and name, as the catalog spells them (unquoted, case-sensitive): what {@code
 * Control.backfill} takes. {@link #parse} reads {@code schema.table} as SQL writes it, so {@code
 * public.orders}, {@code orders} (schema {@code public}) and {@code "My Schema"."Orders"} all work.
 */
public record TableName(String schema, String name) {

  public TableName {
    Objects.requireNonNull(schema, "schema");
    Objects.requireNonNull(name, "name");
    if (schema.isEmpty() || name.isEmpty()) {
      throw new IllegalArgumentException(
          "a table needs a schema and a name, got " + schema + "." + name);
    }
  }

  public static TableName of(String schema, String name) {
    return new TableName(schema, name);
  }

  /**
   * {@code schema.table} or {@code table} (schema {@code public}); an unquoted part is folded to
   * lower case as PostgreSQL folds it, a double-quoted one is taken as it is.
   *
   * @throws IllegalArgumentException naming the text when it is no table name
   */
  public static TableName parse(String text) {
    Objects.requireNonNull(text, "text");
    java.util.List<String> parts = new java.util.ArrayList<>();
    int i = 0;
    while (i <= text.length()) {
      StringBuilder part = new StringBuilder();
      if (i < text.length() && text.charAt(i) == '"') {
        i++;
        while (true) {
          if (i >= text.length()) {
            throw bad(text);
          }
          char ch = text.charAt(i);
          if (ch == '"') {
            if (i + 1 < text.length() && text.charAt(i + 1) == '"') {
              part.append('"');
              i += 2;
              continue;
            }
            i++;
            break;
          }
          part.append(ch);
          i++;
        }
      } else {
        while (i < text.length() && text.charAt(i) != '.') {
          char ch = text.charAt(i);
          if (ch == '"' || Character.isWhitespace(ch)) {
            throw bad(text);
          }
          part.append(Character.toLowerCase(ch));
          i++;
        }
      }
      if (part.length() == 0) {
        throw bad(text);
      }
      parts.add(part.toString());
      if (i == text.length()) {
        break;
      }
      if (text.charAt(i) != '.') {
        throw bad(text);
      }
      i++;
    }
    if (parts.size() == 1) {
      return new TableName("public", parts.get(0));
    }
    if (parts.size() == 2) {
      return new TableName(parts.get(0), parts.get(1));
    }
    throw bad(text);
  }

  private static IllegalArgumentException bad(String text) {
    return new IllegalArgumentException(
        "not a table name: \"" + text + "\" (write schema.table, e.g. public.orders)");
  }

  /** {@code "schema"."name"}, quoted for SQL. */
  public String quoted() {
    return quote(schema) + "." + quote(name);
  }

  private static String quote(String identifier) {
    return "\"" + identifier.replace("\"", "\"\"") + "\"";
  }

  /** {@code schema.name}, unquoted, as status lines and the progress table show it. */
  @Override
  public String toString() {
    return schema + "." + name;
  }
}
