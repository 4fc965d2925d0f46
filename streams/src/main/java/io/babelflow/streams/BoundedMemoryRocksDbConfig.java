package io.babelflow.streams;

import java.util.Map;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.WriteBufferManager;

/**
 * Bounds the off-heap memory of every RocksDB store of the JVM: one LRU block cache shared by all
 * stores, with memtables charged against it through one write-buffer manager, and index and
 * filter blocks cached (pinned at high priority) instead of growing unbounded beside it.
 * <p>
 * The cache is static because Kafka Streams instantiates this class once per store; its size is
 * read from {@link #TOTAL_BYTES_CONFIG} (default 256 MiB) and {@link #MEMTABLE_BYTES_CONFIG}
 * (default a quarter of it) in the Streams config when the first store opens. Later changes
 * need a JVM restart.
 */
public class BoundedMemoryRocksDbConfig implements RocksDBConfigSetter {
    public static final String TOTAL_BYTES_CONFIG = "babelflow.rocksdb.total.bytes";
    public static final String MEMTABLE_BYTES_CONFIG = "babelflow.rocksdb.memtable.bytes";
    public static final long DEFAULT_TOTAL_BYTES = 256L * 1024 * 1024;

    private static final double INDEX_FILTER_BLOCK_RATIO = 0.1;
    private static final long BLOCK_SIZE = 16 * 1024;
    private static final int MEMTABLES = 3;

    private static Cache cache;
    private static WriteBufferManager writeBufferManager;

    @Override
    public void setConfig(String storeName, Options options, Map<String, Object> configs) {
        long total = bytes(configs, TOTAL_BYTES_CONFIG, DEFAULT_TOTAL_BYTES);
        long memtables = bytes(configs, MEMTABLE_BYTES_CONFIG, total / 4);
        BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
        table.setBlockCache(sharedCache(total, memtables));
        table.setCacheIndexAndFilterBlocks(true);
        table.setCacheIndexAndFilterBlocksWithHighPriority(true);
        table.setPinTopLevelIndexAndFilter(true);
        table.setBlockSize(BLOCK_SIZE);
        options.setWriteBufferManager(writeBufferManager);
        options.setMaxWriteBufferNumber(MEMTABLES);
        options.setWriteBufferSize(Math.max(1, memtables / MEMTABLES));
        options.setTableFormatConfig(table);
    }

    private static synchronized Cache sharedCache(long total, long memtables) {
        if (cache == null) {
            cache = new LRUCache(total, -1, false, INDEX_FILTER_BLOCK_RATIO);
            writeBufferManager = new WriteBufferManager(memtables, cache);
        }
        return cache;
    }

    private static long bytes(Map<String, Object> configs, String key, long fallback) {
        Object value = configs.get(key);
        return value == null ? fallback : Long.parseLong(value.toString().trim());
    }

    @Override
    public void close(String storeName, Options options) {
        // The cache and write-buffer manager are shared by every store: never closed here.
    }
}
