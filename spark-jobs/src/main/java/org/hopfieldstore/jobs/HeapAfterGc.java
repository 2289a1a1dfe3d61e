package org.hopfieldstore.jobs;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * The largest heap this JVM held right after a garbage collection: what the data it keeps
 * needs, unlike the pools' peak usage, which counts garbage and sums peaks of different times.
 */
final class HeapAfterGc implements NotificationListener {
  private static final HeapAfterGc INSTANCE = new HeapAfterGc();
  private final AtomicLong peak = new AtomicLong();
  private final Set<String> heapPools = new HashSet<>();

  private HeapAfterGc() {
    for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
      if (p.getType() == MemoryType.HEAP) {
        heapPools.add(p.getName());
      }
    }
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      if (gc instanceof NotificationEmitter) {
        ((NotificationEmitter) gc).addNotificationListener(this, null, null);
      }
    }
  }

  /** Starts watching (idempotent); call early, collections before it are not seen. */
  static HeapAfterGc watch() {
    return INSTANCE;
  }

  /** Bytes; 0 when no collection happened since {@link #watch()}. */
  long peakBytes() {
    return peak.get();
  }

  @Override
  public void handleNotification(Notification n, Object handback) {
    if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) {
      return;
    }
    GarbageCollectionNotificationInfo info =
        GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
    long used = 0;
    for (Map.Entry<String, MemoryUsage> e : info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
      if (heapPools.contains(e.getKey())) {
        used += e.getValue().getUsed();
      }
    }
    peak.accumulateAndGet(used, Math::max);
  }
}
