package dev.vellum.client;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.zip.CRC32C;
import org.jspecify.annotations.Nullable;

/**
 * The disk spool: a write-ahead log of recorded events that the sender reads from. Every event is
 * on disk and fsynced before it is first sent, and its segment file is deleted only after the
 * server has answered for every event in it; so after a crash (even SIGKILL) the events of the
 * surviving segments are sent again on the next start, with the ids they had. The server answers
 * {@code duplicate} for those it already holds, which makes delivery exactly-once in effect.
 *
 * <h2>Layout</h2>
 *
 * <p>A directory with {@code segment-<n>.log} files, {@code n} increasing; a {@code .lock} file
 * held with an OS file lock while a client uses the directory (two clients replaying one spool
 * would both send every event); and {@code rejected.jsonl}, where events the server refused are
 * kept (fsynced), so that even a refused event is never just gone. Each run appends to a fresh
 * segment; a segment is closed ("sealed") at {@code segmentBytes} and a new one started.
 *
 * <h2>Record format</h2>
 *
 * <pre>
 * magic  u32  0x56534C31 ("VSL1")
 * length u32  of the payload
 * crc    u32  CRC-32C of the payload
 * payload     u16 id length, id (UTF-8), event JSON (UTF-8)
 * </pre>
 *
 * <p>Writes are grouped: the writer thread takes everything queued, appends it, and calls {@code
 * force} once (group commit), so fsync cost is shared by all events of the group. On open, every
 * segment is scanned; a record whose header runs past the end of the file, or whose checksum does
 * not match, is skipped and reported through {@link VellumListener#onSpoolDamage}. The scan then
 * looks for the next intact record, so one damaged record costs only itself: a torn last record
 * (the usual result of a crash mid-write; it was never reported as spooled) is skipped and every
 * record before it is replayed.
 */
final class Spool implements Outbox {
  static final int MAGIC = 0x56534C31;
  static final int HEADER_BYTES = 12;

  /** No event payload is near this; a larger length field is damage, not data. */
  static final int MAX_PAYLOAD = 64 << 20;

  private static final String PREFIX = "segment-";
  private static final String SUFFIX = ".log";

  /** What the spool tells the client. */
  interface Hooks {
    /** The caller's future of an event recorded in this run, or null. */
    @Nullable CompletableFuture<Receipt> futureOf(String id);

    void spooled(List<Entry> group);

    void writeFailed(List<Entry> group, IOException cause);

    void replayed(long events);

    void damage(Path segment, long offset, long bytesSkipped, String reason);
  }

  /** One segment file and how far it has been written, read and settled. */
  static final class Segment {
    final Path path;
    final long number;

    /** End of the last fsynced record; the reader never reads past it. */
    long durable;

    boolean sealed;
    long readPos;
    long read;
    long settled;
    long written;
    boolean readDone;

    /** Damaged ranges found on open: start offset → end offset. */
    final TreeMap<Long, Long> skips = new TreeMap<>();

    @Nullable FileChannel reader;

    Segment(Path path, long number) {
      this.path = path;
      this.number = number;
    }
  }

  private final Path dir;
  private final long segmentBytes;
  private final long maxBytes;
  private final Hooks hooks;
  private final ArrayBlockingQueue<Entry> inbox;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition dataAvailable = lock.newCondition();
  private final Condition spaceFreed = lock.newCondition();
  private final ArrayDeque<Segment> segments = new ArrayDeque<>();
  private final AtomicLong unsettled = new AtomicLong();
  private final FileChannel lockChannel;
  private final FileLock fileLock;
  private final Thread writer;
  private final Object deadLetterLock = new Object();
  private long totalBytes;
  private Segment active;
  private FileChannel activeChannel;
  private volatile boolean shutdown;
  private volatile boolean writerDone;
  private volatile boolean hurry;

  Spool(Path dir, int inboxCapacity, long segmentBytes, long maxBytes, Hooks hooks)
      throws IOException {
    this.dir = dir;
    this.segmentBytes = segmentBytes;
    this.maxBytes = maxBytes;
    this.hooks = hooks;
    this.inbox = new ArrayBlockingQueue<>(inboxCapacity);
    Files.createDirectories(dir);
    lockChannel =
        FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock l;
    try {
      l = lockChannel.tryLock();
    } catch (OverlappingFileLockException e) {
      l = null;
    }
    if (l == null) {
      lockChannel.close();
      throw new IOException("spool directory " + dir + " is in use by another Vellum client");
    }
    fileLock = l;
    long last = recover();
    startSegment(last + 1);
    writer = new Thread(this::writeLoop, "vellum-spool-writer");
    writer.setDaemon(true);
    writer.start();
  }

  // ---- recovery ----

  private long recover() throws IOException {
    List<Segment> found = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, PREFIX + "*" + SUFFIX)) {
      for (Path p : ds) {
        String name = p.getFileName().toString();
        try {
          found.add(
              new Segment(
                  p,
                  Long.parseLong(
                      name.substring(PREFIX.length(), name.length() - SUFFIX.length()))));
        } catch (NumberFormatException notOurs) {
          // a file that only looks like a segment is left alone
        }
      }
    }
    found.sort((a, b) -> Long.compare(a.number, b.number));
    long last = 0;
    long replayed = 0;
    for (Segment s : found) {
      last = Math.max(last, s.number);
      scan(s);
      if (s.written == 0) {
        Files.deleteIfExists(s.path);
        continue;
      }
      s.sealed = true;
      totalBytes += s.durable;
      replayed += s.written;
      segments.add(s);
    }
    unsettled.addAndGet(replayed);
    if (replayed > 0) {
      hooks.replayed(replayed);
    }
    return last;
  }

  /** Finds the intact records of a segment and reports every damaged range. */
  private void scan(Segment s) throws IOException {
    byte[] data = Files.readAllBytes(s.path);
    ByteBuffer buf = ByteBuffer.wrap(data);
    int pos = 0;
    int lastEnd = 0;
    while (pos < data.length) {
      int len = recordAt(buf, pos);
      if (len > 0) {
        s.written++;
        pos += len;
        lastEnd = pos;
        continue;
      }
      int next = pos + 1;
      while (next < data.length && recordAt(buf, next) <= 0) {
        next++;
      }
      String reason =
          next >= data.length
              ? (data.length - pos < HEADER_BYTES || declaredEnd(buf, pos) > data.length
                  ? "torn record at the end of the segment (a write cut short by a crash)"
                  : "damaged record at the end of the segment (checksum mismatch)")
              : "damaged record (bad header or checksum); later records are intact";
      hooks.damage(s.path, pos, next - pos, reason);
      if (next < data.length) {
        s.skips.put((long) pos, (long) next);
      }
      pos = next;
    }
    s.durable = lastEnd;
  }

  private static long declaredEnd(ByteBuffer buf, int pos) {
    if (buf.limit() - pos < HEADER_BYTES) {
      return Long.MAX_VALUE;
    }
    return (long) pos + HEADER_BYTES + Integer.toUnsignedLong(buf.getInt(pos + 4));
  }

  /** The length of the intact record at {@code pos}, or 0 if there is none. */
  static int recordAt(ByteBuffer buf, int pos) {
    int n = buf.limit();
    if (n - pos < HEADER_BYTES || buf.getInt(pos) != MAGIC) {
      return 0;
    }
    int len = buf.getInt(pos + 4);
    if (len < 2 || len > MAX_PAYLOAD || (long) pos + HEADER_BYTES + len > n) {
      return 0;
    }
    CRC32C crc = new CRC32C();
    crc.update(buf.slice(pos + HEADER_BYTES, len));
    if ((int) crc.getValue() != buf.getInt(pos + 8)) {
      return 0;
    }
    int idLen = Short.toUnsignedInt(buf.getShort(pos + HEADER_BYTES));
    return idLen + 2 <= len ? HEADER_BYTES + len : 0;
  }

  static byte[] encode(Entry e) {
    byte[] id = e.id.getBytes(StandardCharsets.UTF_8);
    int len = 2 + id.length + e.json.length;
    ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES + len);
    b.putInt(MAGIC).putInt(len).putInt(0).putShort((short) id.length).put(id).put(e.json);
    CRC32C crc = new CRC32C();
    crc.update(b.array(), HEADER_BYTES, len);
    b.putInt(8, (int) crc.getValue());
    return b.array();
  }

  // ---- writing ----

  private void startSegment(long number) throws IOException {
    Path p = dir.resolve(String.format("%s%016d%s", PREFIX, number, SUFFIX));
    FileChannel ch = FileChannel.open(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    syncDirectory();
    Segment s = new Segment(p, number);
    lock.lock();
    try {
      if (active != null) {
        active.sealed = true;
        dataAvailable.signalAll();
      }
      segments.add(s);
      active = s;
    } finally {
      lock.unlock();
    }
    if (activeChannel != null) {
      activeChannel.close();
    }
    activeChannel = ch;
  }

  /** A new file's directory entry must be durable too, or a crash can lose the whole file. */
  private void syncDirectory() {
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    } catch (IOException unsupported) {
      // some platforms cannot open a directory; the file's own fsync is all they offer
    }
  }

  private void writeLoop() {
    try {
      while (true) {
        Entry first = inbox.poll(50, TimeUnit.MILLISECONDS);
        if (first == null) {
          if (shutdown) {
            return;
          }
          continue;
        }
        List<Entry> group = new ArrayList<>();
        group.add(first);
        inbox.drainTo(group, 10_000);
        try {
          write(group);
          hooks.spooled(group);
        } catch (IOException e) {
          unsettled.addAndGet(-group.size());
          hooks.writeFailed(group, e);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      writerDone = true;
      lock.lock();
      try {
        dataAvailable.signalAll();
      } finally {
        lock.unlock();
      }
    }
  }

  private void write(List<Entry> group) throws IOException, InterruptedException {
    List<byte[]> records = new ArrayList<>(group.size());
    long need = 0;
    for (Entry e : group) {
      byte[] r = encode(e);
      records.add(r);
      need += r.length;
    }
    awaitSpace(need);
    long size = active.durable;
    ByteBuffer chunk = ByteBuffer.allocate((int) Math.min(need, Integer.MAX_VALUE - 8));
    int inChunk = 0;
    for (byte[] r : records) {
      if (size > 0 && size + r.length > segmentBytes) {
        commit(chunk, inChunk);
        chunk.clear();
        inChunk = 0;
        startSegment(active.number + 1);
        size = 0;
      }
      chunk.put(r);
      inChunk++;
      size += r.length;
    }
    commit(chunk, inChunk);
  }

  /** Appends, fsyncs, and only then lets the reader see the records. */
  private void commit(ByteBuffer chunk, int records) throws IOException {
    if (records == 0) {
      return;
    }
    chunk.flip();
    int bytes = chunk.remaining();
    long at = active.durable;
    try {
      while (chunk.hasRemaining()) {
        activeChannel.write(chunk, at + (bytes - chunk.remaining()));
      }
      activeChannel.force(false);
    } catch (IOException e) {
      try {
        activeChannel.truncate(at); // keep the file a sequence of whole records
      } catch (IOException ignored) {
        // the scan on the next open skips the partial record
      }
      throw e;
    }
    lock.lock();
    try {
      active.durable = at + bytes;
      active.written += records;
      totalBytes += bytes;
      dataAvailable.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private void awaitSpace(long need) throws IOException, InterruptedException {
    lock.lock();
    try {
      while (totalBytes + need > maxBytes && totalBytes > 0) {
        if (shutdown) {
          throw new IOException(
              "spool "
                  + dir
                  + " is full ("
                  + totalBytes
                  + " of "
                  + maxBytes
                  + " bytes) and the client is closing");
        }
        spaceFreed.await(50, TimeUnit.MILLISECONDS);
      }
    } finally {
      lock.unlock();
    }
  }

  // ---- Outbox ----

  @Override
  public boolean offer(Entry e, long timeoutNanos) throws InterruptedException {
    if (shutdown) {
      return false;
    }
    unsettled.incrementAndGet();
    if (!inbox.offer(e, timeoutNanos, TimeUnit.NANOSECONDS)) {
      unsettled.decrementAndGet();
      return false;
    }
    return true;
  }

  @Override
  public List<Entry> take(int maxCount, long maxBytes, long lingerNanos)
      throws InterruptedException {
    List<Entry> batch = new ArrayList<>();
    long bytes = 2;
    long deadline = 0;
    lock.lock();
    try {
      while (true) {
        Entry e;
        try {
          e = readNext(batch.isEmpty() ? Long.MAX_VALUE : maxBytes - bytes);
        } catch (IOException io) {
          throw new java.io.UncheckedIOException("cannot read spool " + dir, io);
        }
        if (e != null) {
          if (batch.isEmpty()) {
            deadline = System.nanoTime() + lingerNanos;
          }
          batch.add(e);
          bytes += e.json.length + 1;
          if (batch.size() >= maxCount) {
            return batch;
          }
          continue;
        }
        boolean writerFinished = shutdown && writerDone;
        if (!batch.isEmpty()) {
          long left = deadline - System.nanoTime();
          if (left <= 0 || hurry || writerFinished || nextIsTooBig) {
            return batch;
          }
          dataAvailable.awaitNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(5)));
        } else {
          if (writerFinished) {
            return batch;
          }
          dataAvailable.await(50, TimeUnit.MILLISECONDS);
        }
      }
    } finally {
      nextIsTooBig = false;
      lock.unlock();
    }
  }

  private boolean nextIsTooBig;

  /** The next record at or after the read position, or null; called with the lock held. */
  private @Nullable Entry readNext(long room) throws IOException {
    for (Segment s : segments) {
      if (s.readDone) {
        continue;
      }
      Long skipEnd = s.skips.get(s.readPos);
      if (skipEnd != null) {
        s.readPos = skipEnd;
      }
      if (s.readPos < s.durable) {
        if (s.reader == null) {
          s.reader = FileChannel.open(s.path, StandardOpenOption.READ);
        }
        ByteBuffer h = ByteBuffer.allocate(HEADER_BYTES);
        readFully(s.reader, h, s.readPos);
        int len = h.getInt(4);
        if (len - 2 > room) {
          nextIsTooBig = true;
          return null;
        }
        ByteBuffer p = ByteBuffer.allocate(len);
        readFully(s.reader, p, s.readPos + HEADER_BYTES);
        int idLen = Short.toUnsignedInt(p.getShort(0));
        String id = new String(p.array(), 2, idLen, StandardCharsets.UTF_8);
        byte[] json = java.util.Arrays.copyOfRange(p.array(), 2 + idLen, len);
        s.readPos += HEADER_BYTES + len;
        s.read++;
        return new Entry(id, json, hooks.futureOf(id), s);
      }
      if (!s.sealed) {
        return null; // the active segment, and the reader has caught up with the writer
      }
      s.readDone = true;
      s.reader = closeQuietly(s.reader);
      maybeDelete(s);
    }
    return null;
  }

  private static void readFully(FileChannel ch, ByteBuffer b, long at) throws IOException {
    while (b.hasRemaining()) {
      if (ch.read(b, at + b.position()) < 0) {
        throw new IOException("spool record ends early at offset " + at);
      }
    }
  }

  private static @Nullable FileChannel closeQuietly(@Nullable FileChannel ch) {
    if (ch != null) {
      try {
        ch.close();
      } catch (IOException ignored) {
        // read-only channel: nothing was pending
      }
    }
    return null;
  }

  /** Deletes a segment once every record in it is read and settled; lock held. */
  private void maybeDelete(Segment s) {
    if (!s.readDone || s.settled < s.read) {
      return;
    }
    try {
      Files.deleteIfExists(s.path);
    } catch (IOException e) {
      return; // kept: its events are sent again (as duplicates) on the next start
    }
    segments.remove(s);
    totalBytes -= s.durable;
    spaceFreed.signalAll();
  }

  @Override
  public void settled(Entry e) {
    unsettled.decrementAndGet();
    lock.lock();
    try {
      Segment segment = Objects.requireNonNull(e.segment, "every spooled entry has its segment");
      segment.settled++;
      maybeDelete(segment);
    } finally {
      lock.unlock();
    }
  }

  /** Keeps an event the server refused, so it can be inspected and sent again by hand. */
  void deadLetter(Entry e, @Nullable String reason) {
    String line =
        "{\"id\":"
            + AuditEvent.JSON.getNodeFactory().textNode(e.id)
            + ",\"reason\":"
            + AuditEvent.JSON.getNodeFactory().textNode(reason)
            + ",\"event\":"
            + new String(e.json, StandardCharsets.UTF_8)
            + "}\n";
    synchronized (deadLetterLock) {
      try (FileChannel ch =
          FileChannel.open(
              dir.resolve("rejected.jsonl"),
              StandardOpenOption.CREATE,
              StandardOpenOption.WRITE,
              StandardOpenOption.APPEND)) {
        ch.write(ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8)));
        ch.force(false);
      } catch (IOException ignored) {
        // the listener has already been told that the event failed, with the reason
      }
    }
  }

  @Override
  public long pending() {
    return unsettled.get();
  }

  @Override
  public void hurry(boolean on) {
    hurry = on;
    lock.lock();
    try {
      dataAvailable.signalAll();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void shutdown() {
    shutdown = true;
  }

  /** Everything offered is on disk once the writer stops; nothing is left only in memory. */
  @Override
  public List<Entry> drainUnsent() {
    List<Entry> rest = new ArrayList<>();
    inbox.drainTo(rest);
    return rest;
  }

  /** Bytes of the segment files, for tests and metrics. */
  long bytesOnDisk() {
    lock.lock();
    try {
      return totalBytes;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void close() {
    shutdown = true;
    try {
      writer.join(TimeUnit.SECONDS.toMillis(30));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    lock.lock();
    try {
      if (active != null) {
        active.sealed = true;
      }
      for (Segment s : new ArrayList<>(segments)) {
        s.reader = closeQuietly(s.reader);
        if (s.settled == s.written && (s.readPos >= s.durable || s.written == 0)) {
          s.readDone = true;
          s.read = Math.max(s.read, s.written);
          maybeDelete(s);
        }
      }
    } finally {
      lock.unlock();
    }
    closeQuietly(activeChannel);
    try {
      fileLock.release();
      lockChannel.close();
    } catch (IOException ignored) {
      // the OS drops the lock when the process exits
    }
  }
}
