/// Turns compressed bytes read from a file into uncompressed ones, chunk by chunk.
protocol LayerDecompressor: AnyObject {
    /// Fills `output` with decompressed bytes; returns 0 at the end of the stream.
    func read(into output: UnsafeMutableRawBufferPointer) throws(ImageError) -> Int
}
