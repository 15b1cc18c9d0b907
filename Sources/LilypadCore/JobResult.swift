/// What a resource provider reports for a deal (Lilypad's `Result`).
///
/// On the wire it carries `results_id` as a copy of `data_id` after the declared fields, as
/// Lilypad does for older clients; when decoding, a `results_id` overrides `data_id`.
public struct JobResult: Sendable, Hashable, Codable {
    /// The result's own ID (unused by Lilypad v2).
    public var id: String
    public var dealID: String
    /// UnixFS CID of the results folder (`stdout`, `stderr`, `exitCode`, `outputs/`).
    public var dataID: String
    /// The provider's error text when the job failed; "" on success.
    public var error: String
    public var instructionCount: UInt64

    public init(id: String = "", dealID: String, dataID: String = "", error: String = "", instructionCount: UInt64 = 1) {
        self.id = id
        self.dealID = dealID
        self.dataID = dataID
        self.error = error
        self.instructionCount = instructionCount
    }

    enum CodingKeys: String, CodingKey {
        case id
        case dealID = "deal_id"
        case dataID = "data_id"
        case error
        case instructionCount = "instruction_count"
        case resultsID = "results_id"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        dealID = try container.decode(String.self, forKey: .dealID)
        dataID = try container.decodeIfPresent(String.self, forKey: .resultsID) ?? container.decode(String.self, forKey: .dataID)
        error = try container.decode(String.self, forKey: .error)
        instructionCount = try container.decode(UInt64.self, forKey: .instructionCount)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(dealID, forKey: .dealID)
        try container.encode(dataID, forKey: .dataID)
        try container.encode(error, forKey: .error)
        try container.encode(instructionCount, forKey: .instructionCount)
        try container.encode(dataID, forKey: .resultsID)
    }
}
