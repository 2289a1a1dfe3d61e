package org.hopfieldstore.spark.dist;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.serializers.JavaSerializer;
import org.apache.spark.serializer.KryoRegistrator;
import org.hopfieldstore.core.memory.MemoryBlock;
import org.hopfieldstore.core.aggregate.Mergeable;
import org.hopfieldstore.core.aggregate.Mergeables;

/**
 * Registers every class of ours that crosses the wire, so Spark can run with {@code
 * spark.kryo.registrationRequired=true}: memory blocks (the float slab and ids written raw) and
 * every mergeable partial of core (through its own {@code toBytes}, read back by tag).
 */
public final class HopfieldKryoRegistrator implements KryoRegistrator {
  @Override
  public void registerClasses(Kryo kryo) {
    kryo.register(MemoryBlock.class, new MemoryBlockSerializer());
    for (Class<?> type : Mergeables.TYPES) {
      kryo.register(type, new BytesSerializer());
    }
    kryo.register(float[].class);
    kryo.register(double[].class);
    kryo.register(long[].class);
    kryo.register(int[].class);
    kryo.register(byte[].class);
    kryo.register(byte[][].class);
    kryo.register(float[][].class);
    kryo.register(long[][].class);
    kryo.register(double[][].class);
    kryo.register(Object[].class);
    kryo.register(org.hopfieldstore.core.capacity.Separation.class);
    // the distributed query plan's blocks and step outputs: plain Java serialization of their
    // arrays (they carry a state machine whose fields change with the core, not a wire format)
    kryo.register(QueryBlock.class, new JavaSerializer());
    kryo.register(DistributedQueries.SearchingBlock.class, new JavaSerializer());
    kryo.register(org.hopfieldstore.core.reduce.StepOutput.class, new JavaSerializer());
    kryo.register(IdVector.class);
    // Spark SQL sends these between driver and tasks (Parquet schema inference and merging)
    for (String name : SPARK_SQL_CLASSES) {
      try {
        kryo.register(Class.forName(name, false, HopfieldKryoRegistrator.class.getClassLoader()));
      } catch (ClassNotFoundException e) {
        throw new IllegalStateException("Spark class " + name + " not found: Spark version?", e);
      }
    }
    // Delta Lake's file actions, sent by the tasks that write a store's files: Java
    // serialization of the whole object graph (Scala options and maps inside need no entries)
    ClassLoader loader = HopfieldKryoRegistrator.class.getClassLoader();
    if (SparkSetup.hasDelta(loader)) { // an application may leave Delta out
      for (String name : DELTA_CLASSES) {
        try {
          kryo.register(Class.forName(name, false, loader), new JavaSerializer());
        } catch (ClassNotFoundException e) {
          throw new IllegalStateException("Delta class " + name + " not found: Delta version?",
              e);
        }
      }
    }
  }

  /** Delta classes that cross the wire when a store is written with registration on. */
  static final String[] DELTA_CLASSES = {
      "org.apache.spark.sql.delta.actions.AddFile",
      "org.apache.spark.sql.delta.actions.RemoveFile",
      "org.apache.spark.sql.delta.actions.AddCDCFile",
      "org.apache.spark.sql.delta.stats.DeltaFileStatistics",
  };

  /** Spark SQL classes that cross the wire when a job reads Parquet with registration on. */
  static final String[] SPARK_SQL_CLASSES = {
      "org.apache.spark.sql.types.StructType",
      "[Lorg.apache.spark.sql.types.StructType;",
      "org.apache.spark.sql.types.StructField",
      "[Lorg.apache.spark.sql.types.StructField;",
      "org.apache.spark.sql.types.ArrayType",
      "org.apache.spark.sql.types.Metadata",
      "org.apache.spark.sql.types.LongType$",
      "org.apache.spark.sql.types.IntegerType$",
      "org.apache.spark.sql.types.FloatType$",
      "org.apache.spark.sql.types.DoubleType$",
      "org.apache.spark.sql.types.StringType",
      "org.apache.spark.sql.types.BooleanType$",
      // Dataset.toLocalIterator sends each partition's rows as chunked buffers
      "org.apache.spark.util.io.ChunkedByteBuffer",
      "[Lorg.apache.spark.util.io.ChunkedByteBuffer;",
      // a cached Dataset's batches, serialized when they go to disk or to a _SER level
      "org.apache.spark.sql.execution.columnar.DefaultCachedBatch",
      "org.apache.spark.unsafe.types.UTF8String",
      "org.apache.spark.sql.catalyst.expressions.GenericInternalRow",
  };

  /** A memory block as (size, dim, id offset, has-ids, floats, ids, has-scales, scales). */
  static final class MemoryBlockSerializer extends Serializer<MemoryBlock> {
    @Override
    public void write(Kryo kryo, Output out, MemoryBlock b) {
      out.writeInt(b.size());
      out.writeInt(b.dim());
      out.writeLong(b.idOffset());
      long[] ids = b.explicitIds();
      out.writeBoolean(ids != null);
      out.writeFloats(b.data());
      if (ids != null) {
        out.writeLongs(ids);
      }
      float[] scale = b.rowScale();
      out.writeBoolean(scale != null);
      if (scale != null) {
        out.writeFloats(scale);
      }
    }

    @Override
    public MemoryBlock read(Kryo kryo, Input in, Class<MemoryBlock> type) {
      int size = in.readInt();
      int dim = in.readInt();
      long offset = in.readLong();
      boolean hasIds = in.readBoolean();
      float[] data = in.readFloats(size * dim);
      MemoryBlock block = hasIds ? MemoryBlock.withIds(data, in.readLongs(size), dim)
          : MemoryBlock.withIdOffset(data, size, dim, offset);
      return in.readBoolean() ? block.withRowScale(in.readFloats(size)) : block;
    }
  }

  /** Any mergeable partial through its own byte form. */
  @SuppressWarnings("rawtypes")
  static final class BytesSerializer extends Serializer<Mergeable> {
    @Override
    public void write(Kryo kryo, Output out, Mergeable p) {
      byte[] bytes = p.toBytes();
      out.writeInt(bytes.length);
      out.writeBytes(bytes);
    }

    @Override
    public Mergeable read(Kryo kryo, Input in, Class<Mergeable> type) {
      return Mergeables.fromBytes(in.readBytes(in.readInt()));
    }
  }
}
