package io.slotkeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;

class TableGroupTest {
  private static SourceSettings base(String slot) {
    return SourceSettings.create(ConfigFactory.empty())
        .withUrl("jdbc:postgresql://localhost/db")
        .withSlotName(slot)
        .withPublications("all_pub");
  }

  @Test
  void aGroupsSourceHasTheSlotNameWithTheGroupsNameAndItsPublication() {
    SourceSettings s =
        TableGroup.of("orders", "orders_pub", "public.orders").settingsFrom(base("shop"));
    assertThat(s.slot().name()).isEqualTo("shop_orders");
    assertThat(s.publication().names()).containsExactly("orders_pub");
    assertThat(s.publication().tables()).containsExactly("public.orders");
  }

  @Test
  void aSlotNameTooLongForPostgresqlNamesBothPartsAndTheFix() {
    String slot = "s".repeat(40);
    TableGroup group = TableGroup.of("g".repeat(23), "p");
    // 40 + 1 + 23 = 64: one too many.
    assertThatThrownBy(() -> group.settingsFrom(base(slot)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("64 characters")
        .hasMessageContaining("slot-name '" + slot + "'")
        .hasMessageContaining("Fix: shorten");
    // 63 is allowed.
    assertThat(TableGroup.of("g".repeat(22), "p").settingsFrom(base(slot)).slot().name())
        .hasSize(63);
  }
}
