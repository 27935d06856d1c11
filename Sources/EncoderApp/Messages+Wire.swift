import Ensemble

// The pipeline's messages write themselves in a fixed binary layout: they are
// the hot path (about a dozen per encode request), and this skips Codable.

extension EncodeRequest: WireMessage {
    public func write(to writer: inout WireWriter) {
        writer.write(text)
        writer.write(requestID)
    }

    public init(from reader: inout WireReader) throws {
        self.init(text: try reader.readString(), requestID: try reader.readUInt64())
    }
}

extension EncodingDispatched: WireMessage {
    public func write(to writer: inout WireWriter) {
        writer.write(encoders) { $0.write($1) }
        writer.write(unplaced) { writer, entry in
            writer.write(entry.encoder)
            writer.write(entry.reason)
        }
        writer.write(requestID)
    }

    public init(from reader: inout WireReader) throws {
        let encoders = try reader.readArray { try $0.readString() }
        let unplaced = try reader.readArray { UnplacedEncoder(encoder: try $0.readString(), reason: try $0.readString()) }
        self.init(encoders: encoders, unplaced: unplaced, requestID: try reader.readUInt64())
    }
}

extension EncodeText: WireMessage {
    public func write(to writer: inout WireWriter) {
        writer.write(text)
        writer.write(analyzer)
        writer.write(requester)
        writer.write(encoder)
        writer.write(resends)
        writer.write(requestID)
    }

    public init(from reader: inout WireReader) throws {
        self.init(
            text: try reader.readString(), analyzer: try reader.readAddress(), requester: try reader.readAddress(),
            encoder: try reader.readString(), resends: try reader.readInt(), requestID: try reader.readUInt64())
    }
}

extension AnalyzeEncoding: WireMessage {
    public func write(to writer: inout WireWriter) {
        writer.write(encoder)
        writer.write(input)
        writer.write(output)
        writer.write(requester)
        writer.write(requestID)
    }

    public init(from reader: inout WireReader) throws {
        self.init(
            encoder: try reader.readString(), input: try reader.readString(), output: try reader.readString(),
            requester: try reader.readAddress(), requestID: try reader.readUInt64())
    }
}

extension EncodingReport: WireMessage {
    public func write(to writer: inout WireWriter) {
        writer.write(encoder)
        writer.write(density) { $0.write($1) }
        writer.write(output)
        writer.write(requestID)
    }

    public init(from reader: inout WireReader) throws {
        self.init(
            encoder: try reader.readString(), density: try reader.readOptional { try $0.readDouble() },
            output: try reader.readString(), requestID: try reader.readUInt64())
    }
}
