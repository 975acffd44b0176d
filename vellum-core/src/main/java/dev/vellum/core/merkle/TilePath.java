package dev.vellum.core.merkle;

/**
 * The C2SP tlog-tiles path of a hash tile: {@code tile/<L>/<N>[.p/<W>]}.
 *
 * <p>{@code N} is written in zero-padded groups of three decimal digits, every group but the last
 * prefixed with {@code x} (1234067 → {@code x001/x234/067}); the {@code .p/<W>} suffix appears only
 * for a partial tile, 1 ≤ W ≤ 255. A full tile has width {@link TileMath#WIDTH}. {@link #parse}
 * accepts exactly the strings {@link #toString} produces.
 *
 * @param level tile level L, 0 ≤ L ≤ 63 (tile level L holds tree level 8·L)
 * @param index tile index N ≥ 0 within its level
 * @param width number of hashes, 1 ≤ W ≤ 256
 */
public record TilePath(int level, long index, int width) {

  private static final String PREFIX = "tile/";
  static final int MAX_LEVEL = 63;

  /**
   * @throws IllegalArgumentException if a component is out of range
   */
  public TilePath {
    if (level < 0 || level > MAX_LEVEL) {
      throw new IllegalArgumentException("tile level must be 0.." + MAX_LEVEL + ", got " + level);
    }
    if (index < 0) {
      throw new IllegalArgumentException("tile index must not be negative, got " + index);
    }
    if (width < 1 || width > TileMath.WIDTH) {
      throw new IllegalArgumentException(
          "tile width must be 1.." + TileMath.WIDTH + ", got " + width);
    }
  }

  /** True if the tile holds fewer than 256 hashes. */
  public boolean isPartial() {
    return width < TileMath.WIDTH;
  }

  /** The path, for example {@code tile/0/x001/x234/067.p/8}. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder(32).append(PREFIX).append(level).append('/');
    String digits = Long.toString(index);
    int groups = (digits.length() + 2) / 3;
    String padded = "0".repeat(groups * 3 - digits.length()) + digits;
    for (int g = 0; g < groups; g++) {
      if (g < groups - 1) {
        sb.append('x');
      }
      sb.append(padded, g * 3, g * 3 + 3);
      if (g < groups - 1) {
        sb.append('/');
      }
    }
    if (isPartial()) {
      sb.append(".p/").append(width);
    }
    return sb.toString();
  }

  /**
   * Parses a hash-tile path in its one canonical spelling.
   *
   * @throws IllegalArgumentException if {@code path} is not exactly such a path (entry-bundle paths
   *     {@code tile/entries/…} are not hash tiles and are rejected too)
   */
  public static TilePath parse(String path) {
    if (path == null || !path.startsWith(PREFIX)) {
      throw malformed(path, "does not start with \"" + PREFIX + "\"");
    }
    String[] parts = path.substring(PREFIX.length()).split("/", -1);
    if (parts.length < 2) {
      throw malformed(path, "has no tile index");
    }
    int level = (int) decimal(path, parts[0], "level", MAX_LEVEL);

    int width = TileMath.WIDTH;
    int last = parts.length - 1;
    if (last >= 2 && parts[last - 1].endsWith(".p")) {
      width = (int) decimal(path, parts[last], "width", TileMath.WIDTH - 1);
      if (width == 0) {
        throw malformed(path, "has partial width 0");
      }
      last--;
      parts[last] = parts[last].substring(0, parts[last].length() - 2);
    }
    long index = 0;
    for (int i = 1; i <= last; i++) {
      String group = parts[i];
      boolean notLast = i < last;
      if (notLast) {
        if (!group.startsWith("x")) {
          throw malformed(path, "index group \"" + group + "\" must start with 'x'");
        }
        group = group.substring(1);
      }
      if (group.length() != 3 || !isDigits(group)) {
        throw malformed(path, "index group \"" + parts[i] + "\" is not three digits");
      }
      if (i == 1 && notLast && group.equals("000")) {
        throw malformed(path, "index has a leading zero group");
      }
      try {
        index = Math.addExact(Math.multiplyExact(index, 1000), Integer.parseInt(group));
      } catch (ArithmeticException e) {
        throw malformed(path, "index does not fit in 63 bits");
      }
    }
    return new TilePath(level, index, width);
  }

  private static long decimal(String path, String s, String what, long max) {
    if (s.isEmpty() || !isDigits(s) || (s.length() > 1 && s.charAt(0) == '0') || s.length() > 4) {
      throw malformed(path, what + " \"" + s + "\" is not a canonical decimal number");
    }
    long v = Long.parseLong(s);
    if (v > max) {
      throw malformed(path, what + " " + v + " exceeds " + max);
    }
    return v;
  }

  private static boolean isDigits(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }

  private static IllegalArgumentException malformed(String path, String why) {
    return new IllegalArgumentException("malformed tile path \"" + path + "\": " + why);
  }
}
