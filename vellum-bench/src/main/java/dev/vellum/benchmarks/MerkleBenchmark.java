package dev.vellum.benchmarks;

import dev.vellum.core.merkle.MerkleTree;
import dev.vellum.core.merkle.Rfc6962;
import dev.vellum.core.merkle.Tile;
import dev.vellum.core.merkle.TileAppender;
import dev.vellum.core.merkle.TileNodeReader;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Merkle log work of the sequencer and the proof endpoint: appending a batch of leaf hashes with
 * {@link TileAppender} (scored per leaf), and building an inclusion proof with {@link
 * MerkleTree#inclusionProof} over {@link TileNodeReader} from tiles held in memory (so it measures
 * the hashing and tile lookups, not the database).
 */
@State(Scope.Thread)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "-Xmx4g")
public class MerkleBenchmark {
  static final int BATCH = 500;

  @Param({"1000000"})
  long treeSize;

  private final Map<Long, byte[]> tiles = new HashMap<>();
  private List<byte[]> batch;
  private TileAppender appender;
  private SplittableRandom random;

  @Setup(Level.Trial)
  public void buildTree() {
    random = new SplittableRandom(7);
    batch = leaves(0, BATCH);
    TileAppender builder = new TileAppender(0, List.of());
    for (long done = 0; done < treeSize; done += 65_536) {
      int n = (int) Math.min(65_536, treeSize - done);
      for (Tile t : builder.append(leaves(done, n))) {
        tiles.put(key(t.level(), t.index()), t.hashes());
      }
    }
    appender = builder;
  }

  private static List<byte[]> leaves(long from, int n) {
    List<byte[]> out = new ArrayList<>(n);
    for (int k = 0; k < n; k++) {
      out.add(Rfc6962.leafHash(ByteBuffer.allocate(8).putLong(from + k).array()));
    }
    return out;
  }

  private static long key(int level, long index) {
    return ((long) level << 56) | index;
  }

  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  @OperationsPerInvocation(BATCH)
  public List<Tile> appendBatchOf500() {
    return appender.append(batch);
  }

  @Benchmark
  @BenchmarkMode(Mode.SampleTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public List<byte[]> inclusionProof() {
    TileNodeReader reader = new TileNodeReader((level, index) -> tiles.get(key(level, index)));
    return MerkleTree.inclusionProof(reader, random.nextLong(treeSize), treeSize);
  }
}
