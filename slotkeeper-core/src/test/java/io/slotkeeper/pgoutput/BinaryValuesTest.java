package io.slotkeeper.pgoutput;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Binary ('b') values without a database: the bytes are the types' send formats (as in PostgreSQL's
 * *_send functions), the expected texts what the output functions print. The same values against
 * real servers are checked by DecoderFidelityIT.
 */
class BinaryValuesTest {

  private static final ValueFormat UTC = ValueFormat.DEFAULT;

  private static ColumnValue b(int oid, byte[] bytes) {
    return ColumnValue.binary(bytes, oid, UTC);
  }

  private static ColumnValue b(int oid, byte[] bytes, ValueFormat format) {
    return ColumnValue.binary(bytes, oid, format);
  }

  private static byte[] i16(int v) {
    return ByteBuffer.allocate(2).putShort((short) v).array();
  }

  private static byte[] i32(int v) {
    return ByteBuffer.allocate(4).putInt(v).array();
  }

  private static byte[] i64(long v) {
    return ByteBuffer.allocate(8).putLong(v).array();
  }

  private static byte[] cat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  /** numeric_send: ndigits, weight, sign, dscale, then base-10000 digits. */
  private static byte[] numeric(int weight, int sign, int dscale, int... digits) {
    ByteBuffer bb = ByteBuffer.allocate(8 + 2 * digits.length);
    bb.putShort((short) digits.length).putShort((short) weight);
    bb.putShort((short) sign).putShort((short) dscale);
    for (int d : digits) {
      bb.putShort((short) d);
    }
    return bb.array();
  }

  @Test
  void integersBoolAndOid() {
    assertThat(b(PgTypeOids.INT2, i16(-32768)).text()).isEqualTo("-32768");
    assertThat(b(PgTypeOids.INT2, i16(7)).asShort()).isEqualTo((short) 7);
    assertThat(b(PgTypeOids.INT4, i32(Integer.MIN_VALUE)).asLong())
        .isEqualTo((long) Integer.MIN_VALUE);
    assertThat(b(PgTypeOids.INT8, i64(Long.MAX_VALUE)).text()).isEqualTo("9223372036854775807");
    assertThat(b(PgTypeOids.INT8, i64(42)).asBigDecimal()).isEqualTo(new BigDecimal(42));
    assertThat(b(PgTypeOids.OID, i32(-1)).text()).isEqualTo("4294967295");
    assertThat(b(PgTypeOids.OID, i32(-1)).asLong()).isEqualTo(4294967295L);
    assertThat(b(PgTypeOids.BOOL, new byte[] {1}).text()).isEqualTo("t");
    assertThat(b(PgTypeOids.BOOL, new byte[] {0}).asBoolean()).isFalse();
    assertThat(b(PgTypeOids.INT4, i32(5)).typeOid()).isEqualTo(PgTypeOids.INT4);
    assertThat(b(PgTypeOids.INT4, i32(5)).hasCodec()).isTrue();
  }

  @Test
  void numericAsNumericOutPrintsIt() {
    // 12345678901234567890.123456789012345678901234567890 (dscale 30)
    byte[] big =
        numeric(
            4, 0, 30, 1234, 5678, 9012, 3456, 7890, 1234, 5678, 9012, 3456, 7890, 1234, 5678, 9012,
            3456, 7890);
    assertThat(b(PgTypeOids.NUMERIC, big).text())
        .isEqualTo("12345678901234567890.123456789012345678901234567890");
    assertThat(b(PgTypeOids.NUMERIC, big).asBigDecimal())
        .isEqualTo(new BigDecimal("12345678901234567890.123456789012345678901234567890"));
    // -0.0001 with numeric(12,4): weight -1, digit 1
    assertThat(b(PgTypeOids.NUMERIC, numeric(-1, 0x4000, 4, 1)).text()).isEqualTo("-0.0001");
    // 0 with dscale 4 prints its zeros; 0 with no digits at all is "0"
    assertThat(b(PgTypeOids.NUMERIC, numeric(0, 0, 4)).text()).isEqualTo("0.0000");
    assertThat(b(PgTypeOids.NUMERIC, numeric(0, 0, 0)).text()).isEqualTo("0");
    // 1e1000: one digit 1 at weight 250
    assertThat(b(PgTypeOids.NUMERIC, numeric(250, 0, 0, 1)).text())
        .isEqualTo("1" + "0".repeat(1000));
    // 3.1416 = 3 . 1416
    assertThat(b(PgTypeOids.NUMERIC, numeric(0, 0, 4, 3, 1416)).text()).isEqualTo("3.1416");
    // 0.00000000000000000000000000000100 style: weight -8, digit 100, dscale 30
    assertThat(b(PgTypeOids.NUMERIC, numeric(-8, 0x4000, 30, 100)).text())
        .isEqualTo("-0.000000000000000000000000000001");
    assertThat(b(PgTypeOids.NUMERIC, numeric(0, 0xC000, 0)).text()).isEqualTo("NaN");
    assertThat(b(PgTypeOids.NUMERIC, numeric(0, 0xD000, 0)).text()).isEqualTo("Infinity");
    assertThat(b(PgTypeOids.NUMERIC, numeric(0, 0xF000, 0)).text()).isEqualTo("-Infinity");
    assertThat(b(PgTypeOids.NUMERIC, numeric(0, 0xF000, 0)).asDouble())
        .isEqualTo(Double.NEGATIVE_INFINITY);
    assertThatThrownBy(() -> b(PgTypeOids.NUMERIC, numeric(0, 0xC000, 0)).asBigDecimal())
        .isInstanceOf(ArithmeticException.class);
  }

  @Test
  void floatsPrintShortestExactAsFloat8outAndFloat4out() {
    assertThat(f8(3.141592653589793)).isEqualTo("3.141592653589793");
    assertThat(f8(Double.NaN)).isEqualTo("NaN");
    assertThat(f8(Double.POSITIVE_INFINITY)).isEqualTo("Infinity");
    assertThat(f8(Double.NEGATIVE_INFINITY)).isEqualTo("-Infinity");
    assertThat(f8(-0.0)).isEqualTo("-0");
    assertThat(f8(0.0)).isEqualTo("0");
    assertThat(f8(Double.MIN_VALUE)).isEqualTo("5e-324");
    assertThat(f8(Double.MAX_VALUE)).isEqualTo("1.7976931348623157e+308");
    assertThat(f8(1e100)).isEqualTo("1e+100");
    assertThat(f8(1e14)).isEqualTo("100000000000000");
    assertThat(f8(1e15)).isEqualTo("1e+15");
    assertThat(f8(0.0001)).isEqualTo("0.0001");
    assertThat(f8(0.00001)).isEqualTo("1e-05");
    assertThat(f8(2.5)).isEqualTo("2.5");
    assertThat(f4(1.5f)).isEqualTo("1.5");
    assertThat(f4(Float.MAX_VALUE)).isEqualTo("3.4028235e+38");
    assertThat(f4(Float.MIN_VALUE)).isEqualTo("1e-45");
    assertThat(f4(1.17549435e-38f)).isEqualTo("1.1754944e-38");
    assertThat(f4(100000f)).isEqualTo("100000");
    assertThat(f4(1000000f)).isEqualTo("1e+06");
    assertThat(f4(Float.NaN)).isEqualTo("NaN");
    // asDouble of a real reads as the text format's does: its shortest decimal, not the exact
    // binary value widened.
    assertThat(b(PgTypeOids.FLOAT4, i32(Float.floatToRawIntBits(Float.MAX_VALUE))).asDouble())
        .isEqualTo(3.4028235e38)
        .isEqualTo(ColumnValue.text("3.4028235e+38").asDouble());
    assertThat(f4(-0f)).isEqualTo("-0");
    assertThat(
            b(PgTypeOids.FLOAT4, i32(Float.floatToRawIntBits(Float.NEGATIVE_INFINITY))).asFloat())
        .isEqualTo(Float.NEGATIVE_INFINITY);
    // extra_float_digits <= 0: %.{15+n}g as before PostgreSQL 12's shortest-exact output
    ValueFormat old = ValueFormat.DEFAULT.withExtraFloatDigits(0);
    assertThat(b(PgTypeOids.FLOAT8, i64(Double.doubleToRawLongBits(0.1 + 0.2)), old).text())
        .isEqualTo("0.3");
    assertThat(b(PgTypeOids.FLOAT8, i64(Double.doubleToRawLongBits(1e100)), old).text())
        .isEqualTo("1e+100");
    assertThat(b(PgTypeOids.FLOAT4, i32(Float.floatToRawIntBits(3.14159f)), old).text())
        .isEqualTo("3.14159");
  }

  private static String f8(double d) {
    return b(PgTypeOids.FLOAT8, i64(Double.doubleToRawLongBits(d))).text();
  }

  private static String f4(float f) {
    return b(PgTypeOids.FLOAT4, i32(Float.floatToRawIntBits(f))).text();
  }

  @Test
  void textLikeTypesByteaUuidAndJson() {
    byte[] utf8 = "héllo ✓".getBytes(StandardCharsets.UTF_8);
    for (int oid :
        List.of(PgTypeOids.TEXT, PgTypeOids.VARCHAR, PgTypeOids.BPCHAR, PgTypeOids.NAME)) {
      assertThat(b(oid, utf8).text()).isEqualTo("héllo ✓");
    }
    assertThat(b(PgTypeOids.BYTEA, new byte[] {0, (byte) 0xff, 0x10}).text())
        .isEqualTo("\\x00ff10");
    assertThat(b(PgTypeOids.BYTEA, new byte[0]).text()).isEqualTo("\\x");
    assertThat(b(PgTypeOids.BYTEA, new byte[] {0, (byte) 0xff}).asBytea()).containsExactly(0, 0xff);
    ValueFormat escape = ValueFormat.DEFAULT.withByteaOutput("escape");
    assertThat(b(PgTypeOids.BYTEA, new byte[] {'a', 0, '\\', (byte) 0xff}, escape).text())
        .isEqualTo("a\\000\\\\\\377");
    UUID u = UUID.fromString("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
    byte[] ub =
        ByteBuffer.allocate(16)
            .putLong(u.getMostSignificantBits())
            .putLong(u.getLeastSignificantBits())
            .array();
    assertThat(b(PgTypeOids.UUID, ub).text()).isEqualTo("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
    assertThat(b(PgTypeOids.UUID, ub).asUuid()).isEqualTo(u);
    assertThat(b(PgTypeOids.JSON, "{\"a\" : 1}".getBytes(StandardCharsets.UTF_8)).text())
        .isEqualTo("{\"a\" : 1}");
    // jsonb_send: version 1, then the text
    assertThat(b(PgTypeOids.JSONB, cat(new byte[] {1}, "{\"a\": 1}".getBytes())).text())
        .isEqualTo("{\"a\": 1}");
  }

  @Test
  void datesTimesAndTimestampsIncludingInfinityAndBc() {
    assertThat(b(PgTypeOids.DATE, i32(8825)).text()).isEqualTo("2024-02-29");
    assertThat(b(PgTypeOids.DATE, i32(8825)).asLocalDate()).isEqualTo(LocalDate.of(2024, 2, 29));
    assertThat(b(PgTypeOids.DATE, i32(Integer.MAX_VALUE)).text()).isEqualTo("infinity");
    assertThat(b(PgTypeOids.DATE, i32(Integer.MIN_VALUE)).text()).isEqualTo("-infinity");
    assertThat(b(PgTypeOids.DATE, i32(Integer.MIN_VALUE)).asLocalDate()).isEqualTo(LocalDate.MIN);
    int bc4713 = (int) (LocalDate.of(-4712, 1, 1).toEpochDay() - 10957);
    assertThat(b(PgTypeOids.DATE, i32(bc4713)).text()).isEqualTo("4713-01-01 BC");
    assertThat(b(PgTypeOids.TIME, i64(49_530_123_456L)).text()).isEqualTo("13:45:30.123456");
    assertThat(b(PgTypeOids.TIME, i64(86_400_000_000L)).text()).isEqualTo("24:00:00");
    assertThat(b(PgTypeOids.TIME, i64(86_400_000_000L)).asLocalTime()).isEqualTo(LocalTime.MAX);
    assertThat(b(PgTypeOids.TIME, i64(1_500_000L)).text()).isEqualTo("00:00:01.5");
    // timetz_send: time, then the zone in seconds WEST of UTC
    byte[] tz = cat(i64(49_530_500_000L), i32(-(5 * 3600 + 30 * 60)));
    assertThat(b(PgTypeOids.TIMETZ, tz).text()).isEqualTo("13:45:30.5+05:30");
    assertThat(b(PgTypeOids.TIMETZ, tz).asOffsetTime())
        .isEqualTo(OffsetTime.of(13, 45, 30, 500_000_000, ZoneOffset.ofHoursMinutes(5, 30)));
    assertThat(b(PgTypeOids.TIMETZ, cat(i64(0), i32(15 * 3600 + 59 * 60))).text())
        .isEqualTo("00:00:00-15:59");
    long micros = PgTimestamps.toPgMicros(Instant.parse("2024-02-29T13:45:30.123456Z"));
    assertThat(b(PgTypeOids.TIMESTAMP, i64(micros)).text()).isEqualTo("2024-02-29 13:45:30.123456");
    assertThat(b(PgTypeOids.TIMESTAMP, i64(micros)).asLocalDateTime())
        .isEqualTo(LocalDateTime.of(2024, 2, 29, 13, 45, 30, 123_456_000));
    assertThat(b(PgTypeOids.TIMESTAMP, i64(Long.MAX_VALUE)).text()).isEqualTo("infinity");
    assertThat(b(PgTypeOids.TIMESTAMP, i64(Long.MIN_VALUE)).asLocalDateTime())
        .isEqualTo(LocalDateTime.MIN);
    assertThat(b(PgTypeOids.TIMESTAMPTZ, i64(micros)).text())
        .isEqualTo("2024-02-29 13:45:30.123456+00");
    ValueFormat stJohns = ValueFormat.DEFAULT.withTimeZone("America/St_Johns");
    assertThat(b(PgTypeOids.TIMESTAMPTZ, i64(micros), stJohns).text())
        .isEqualTo("2024-02-29 10:15:30.123456-03:30");
    assertThat(b(PgTypeOids.TIMESTAMPTZ, i64(micros), stJohns).asOffsetDateTime())
        .isEqualTo(
            OffsetDateTime.of(2024, 2, 29, 10, 15, 30, 123_456_000, ZoneOffset.of("-03:30")));
    assertThat(b(PgTypeOids.TIMESTAMPTZ, i64(micros), stJohns).asInstant())
        .isEqualTo(Instant.parse("2024-02-29T13:45:30.123456Z"));
    long bc =
        PgTimestamps.toPgMicros(
            LocalDateTime.of(-4712, 1, 1, 0, 0).atZone(ZoneOffset.UTC).toInstant());
    // Local mean time before the zone's first transition: an offset with seconds.
    ZoneOffset lmt = ZoneId.of("America/St_Johns").getRules().getOffset(Instant.MIN.plusSeconds(0));
    assertThat(lmt.getTotalSeconds() % 60).isNotZero();
    assertThat(b(PgTypeOids.TIMESTAMPTZ, i64(bc), stJohns).text())
        .isEqualTo("4714-12-31 20:29:08-03:30:52 BC");
    assertThat(b(PgTypeOids.TIMESTAMPTZ, i64(Long.MIN_VALUE), stJohns).text())
        .isEqualTo("-infinity");
    assertThat(b(PgTypeOids.TIMESTAMPTZ, i64(Long.MAX_VALUE)).asOffsetDateTime())
        .isEqualTo(OffsetDateTime.MAX);
  }

  @Test
  void intervalsAsIntervalStylePostgres() {
    // 1 year 2 mons 3 days 04:05:06.789: time, days, months
    byte[] i = cat(i64(14_706_789_000L), i32(3), i32(14));
    assertThat(b(PgTypeOids.INTERVAL, i).text()).isEqualTo("1 year 2 mons 3 days 04:05:06.789");
    assertThat(b(PgTypeOids.INTERVAL, i).asInterval())
        .isEqualTo(new PgInterval(14, 3, 14_706_789_000L));
    assertThat(b(PgTypeOids.INTERVAL, cat(i64(-1), i32(-3), i32(-177999999 * 12))).text())
        .isEqualTo("-177999999 years -3 days -00:00:00.000001");
    assertThat(b(PgTypeOids.INTERVAL, cat(i64(0), i32(0), i32(0))).text()).isEqualTo("00:00:00");
    assertThat(b(PgTypeOids.INTERVAL, cat(i64(0), i32(-1), i32(0))).text()).isEqualTo("-1 days");
    assertThat(b(PgTypeOids.INTERVAL, cat(i64(3_600_000_000L), i32(-1), i32(1))).text())
        .isEqualTo("1 mon -1 days +01:00:00");
    assertThat(
            b(PgTypeOids.INTERVAL, cat(i64(Long.MAX_VALUE), i32(Integer.MAX_VALUE), i32(-1 >>> 1)))
                .text())
        .isEqualTo("infinity");
    assertThat(
            b(
                    PgTypeOids.INTERVAL,
                    cat(i64(Long.MIN_VALUE), i32(Integer.MIN_VALUE), i32(Integer.MIN_VALUE)))
                .text())
        .isEqualTo("-infinity");
    // The same value read from text output.
    assertThat(ColumnValue.text("1 year 2 mons 3 days 04:05:06.789").asInterval())
        .isEqualTo(new PgInterval(14, 3, 14_706_789_000L));
    assertThat(ColumnValue.text("-177999999 years -3 days -00:00:00.000001").asInterval())
        .isEqualTo(new PgInterval(-177999999 * 12, -3, -1));
    assertThat(ColumnValue.text("1 mon -1 days +01:00:00").asInterval())
        .isEqualTo(new PgInterval(1, -1, 3_600_000_000L));
  }

  @Test
  void inetAndCidrAsNetworkOut() throws Exception {
    assertThat(b(PgTypeOids.INET, inet(2, 24, false, 192, 168, 0, 1)).text())
        .isEqualTo("192.168.0.1/24");
    assertThat(b(PgTypeOids.INET, inet(2, 32, false, 10, 0, 0, 1)).text()).isEqualTo("10.0.0.1");
    assertThat(b(PgTypeOids.CIDR, inet(2, 8, true, 10, 0, 0, 0)).text()).isEqualTo("10.0.0.0/8");
    assertThat(b(PgTypeOids.CIDR, inet(2, 0, true, 0, 0, 0, 0)).text()).isEqualTo("0.0.0.0/0");
    assertThat(
            b(
                    PgTypeOids.INET,
                    inet(3, 128, false, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 255, 255, 1, 2, 3, 4))
                .text())
        .isEqualTo("::ffff:1.2.3.4");
    assertThat(
            b(
                    PgTypeOids.CIDR,
                    inet(3, 32, true, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))
                .text())
        .isEqualTo("2001:db8::/32");
    assertThat(
            b(
                    PgTypeOids.INET,
                    inet(3, 128, false, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1))
                .text())
        .isEqualTo("2001:db8::1");
    PgInet v = b(PgTypeOids.INET, inet(2, 24, false, 192, 168, 0, 1)).asInet();
    assertThat(v).isEqualTo(new PgInet(InetAddress.getByName("192.168.0.1"), 24));
    assertThat(ColumnValue.text("2001:db8::/32").asInet())
        .isEqualTo(new PgInet(InetAddress.getByName("2001:db8::"), 32));
    assertThat(ColumnValue.text("10.0.0.1").asInet())
        .isEqualTo(new PgInet(InetAddress.getByName("10.0.0.1"), 32));
  }

  private static byte[] inet(int family, int bits, boolean cidr, int... address) {
    ByteBuffer bb = ByteBuffer.allocate(4 + address.length);
    bb.put((byte) family).put((byte) bits).put((byte) (cidr ? 1 : 0)).put((byte) address.length);
    for (int a : address) {
      bb.put((byte) a);
    }
    return bb.array();
  }

  /** array_send: ndim, has-null flag, element oid, (dim, lower bound) per dimension, elements. */
  private static byte[] array(int elementOid, int[] dims, int[] lbounds, byte[]... elements) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    boolean hasNull = Arrays.stream(elements).anyMatch(e -> e == null);
    out.writeBytes(i32(dims.length));
    out.writeBytes(i32(hasNull ? 1 : 0));
    out.writeBytes(i32(elementOid));
    for (int d = 0; d < dims.length; d++) {
      out.writeBytes(i32(dims[d]));
      out.writeBytes(i32(lbounds[d]));
    }
    for (byte[] e : elements) {
      if (e == null) {
        out.writeBytes(i32(-1));
      } else {
        out.writeBytes(i32(e.length));
        out.writeBytes(e);
      }
    }
    return out.toByteArray();
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void arraysAsArrayOutWithQuotingAndBounds() {
    byte[] ints = array(PgTypeOids.INT4, new int[] {3}, new int[] {1}, i32(1), null, i32(3));
    assertThat(b(PgTypeOids.INT4_ARRAY, ints).text()).isEqualTo("{1,NULL,3}");
    assertThat(b(PgTypeOids.INT4_ARRAY, ints).asArray()).isEqualTo(Arrays.asList("1", null, "3"));
    byte[] bounded = array(PgTypeOids.INT4, new int[] {3}, new int[] {0}, i32(7), i32(8), i32(9));
    assertThat(b(PgTypeOids.INT4_ARRAY, bounded).text()).isEqualTo("[0:2]={7,8,9}");
    byte[] twoD =
        array(PgTypeOids.INT4, new int[] {2, 2}, new int[] {1, 1}, null, i32(2), i32(3), null);
    assertThat(b(PgTypeOids.INT4_ARRAY, twoD).text()).isEqualTo("{{NULL,2},{3,NULL}}");
    assertThat(b(PgTypeOids.INT4_ARRAY, twoD).asArray())
        .isEqualTo(Arrays.asList(Arrays.asList(null, "2"), Arrays.asList("3", null)));
    byte[] empty = array(PgTypeOids.INT4, new int[0], new int[0]);
    assertThat(b(PgTypeOids.INT4_ARRAY, empty).text()).isEqualTo("{}");
    byte[] texts =
        array(
            PgTypeOids.TEXT,
            new int[] {9},
            new int[] {1},
            utf8("plain"),
            utf8("with space"),
            utf8("quote\"d"),
            utf8("back\\slash"),
            null,
            utf8("NULL"),
            utf8(""),
            utf8("new\nline"),
            utf8("{braces},"));
    assertThat(b(PgTypeOids.TEXT_ARRAY, texts).text())
        .isEqualTo(
            "{plain,\"with space\",\"quote\\\"d\",\"back\\\\slash\",NULL,\"NULL\",\"\","
                + "\"new\nline\",\"{braces},\"}");
    byte[] floats =
        array(
            PgTypeOids.FLOAT8,
            new int[] {2},
            new int[] {1},
            i64(Double.doubleToRawLongBits(Double.NaN)),
            i64(Double.doubleToRawLongBits(-0.0)));
    assertThat(b(PgTypeOids.FLOAT8_ARRAY, floats).text()).isEqualTo("{NaN,-0}");
  }

  @Test
  void typesWithoutCodecKeepTheirBytesAndSaySo() {
    // money prints by lc_monetary's locale: only C/POSIX has a fixed format.
    ColumnValue money = b(790, i64(123456), UTC.withLcMonetary("de_DE.UTF-8"));
    assertThat(money.hasCodec()).isFalse();
    assertThat(money.typeOid()).isEqualTo(790);
    assertThat(money.bytes()).isEqualTo(i64(123456));
    assertThatThrownBy(money::text)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("790")
        .hasMessageContaining("no binary codec");
    assertThat(b(790, i64(123456)).text()).isEqualTo("$1,234.56");
    assertThat(b(790, i64(-5)).text()).isEqualTo("-$0.05");
    assertThat(b(790, i64(Long.MIN_VALUE)).text()).isEqualTo("-$92,233,720,368,547,758.08");
    // A type the catalog facts do not describe (an enum created after connect, say).
    byte[] label = "happy".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    ColumnValue unknown = b(16500, label);
    assertThat(unknown.hasCodec()).isFalse();
    assertThat(unknown.bytes()).isEqualTo(label);
    assertThatThrownBy(unknown::text).hasMessageContaining("16500");
    ColumnValue known =
        b(
            16500,
            label,
            UTC.withUserTypes(
                java.util.Map.of(16500, new PgUserType(16500, PgUserType.Kind.ENUM, 0))));
    assertThat(known.text()).isEqualTo("happy");
    assertThat(ColumnValue.text("x").hasCodec()).isTrue();
  }

  @Test
  void timestamptzTextNeedsAZoneJavaKnows() {
    // POSIX zones without daylight saving: the offset's sign means WEST, as PostgreSQL reads it.
    long noon = PgTimestamps.toPgMicros(Instant.parse("2024-02-29T12:00:00Z"));
    assertThat(b(PgTypeOids.TIMESTAMPTZ, i64(noon), UTC.withTimeZone("GMT-05:00")).text())
        .isEqualTo("2024-02-29 17:00:00+05");
    assertThat(b(PgTypeOids.TIMESTAMPTZ, i64(noon), UTC.withTimeZone("<+0330>-03:30")).text())
        .isEqualTo("2024-02-29 15:30:00+03:30");
    assertThat(b(PgTypeOids.TIMESTAMPTZ, i64(noon), UTC.withTimeZone("UTC+3")).text())
        .isEqualTo("2024-02-29 09:00:00-03");
    // tz database names mean the same in Java and PostgreSQL (Etc/GMT+5 is five hours west).
    assertThat(b(PgTypeOids.TIMESTAMPTZ, i64(noon), UTC.withTimeZone("Etc/GMT+5")).text())
        .isEqualTo("2024-02-29 07:00:00-05");
    ValueFormat unknown = ValueFormat.DEFAULT.withTimeZone("EST5EDT4,M3.2.0,M11.1.0");
    long micros = PgTimestamps.toPgMicros(Instant.parse("2024-02-29T13:45:30Z"));
    assertThatThrownBy(() -> b(PgTypeOids.TIMESTAMPTZ, i64(micros), unknown).text())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("TimeZone");
    // The instant does not depend on the zone.
    assertThat(b(PgTypeOids.TIMESTAMPTZ, i64(micros), unknown).asInstant())
        .isEqualTo(Instant.parse("2024-02-29T13:45:30Z"));
  }
}
