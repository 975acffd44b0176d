package dev.vellum.store;

/** The full new contents of one hash tile (C2SP tlog-tiles) of a tenant's log. */
public record TileWrite(String tenant, int level, long index, byte[] hashes) {}
