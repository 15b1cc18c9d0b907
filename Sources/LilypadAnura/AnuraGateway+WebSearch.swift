import AsyncHTTPClient
import Foundation
import Hummingbird

extension AnuraGateway {
    /// `POST /api/v1/websearch` `{"query", "number_of_results": 1…10}` → `{"results": [{"title",
    /// "url", "description"}], "related_queries": […], "count"}`, answered by the configured search
    /// backend (a SearXNG-compatible JSON API: `GET <search-url>/search?q=…&format=json`).
    func addWebSearchRoute(to router: Router<BasicRequestContext>) {
        router.post("/api/v1/websearch") { request, _ -> Response in
            _ = try authorize(request)
            let (_, body) = try await Self.jsonObject(request)
            guard let query = body["query"] as? String, !query.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                throw AnuraError.invalidRequest("`query` must be a non-empty string", param: "query")
            }
            let count = body["number_of_results"] as? Int ?? 5
            guard (1...10).contains(count) else {
                throw AnuraError.invalidRequest("`number_of_results` must be 1 to 10", param: "number_of_results")
            }
            guard let backend = configuration.searchURL else {
                // Web search needs a search engine this gateway can ask; none is configured.
                throw AnuraError(
                    status: .serviceUnavailable,
                    message: "web search is not configured on this gateway: its operator starts it with --search-url (a SearXNG JSON API)",
                    type: "server_error", code: "search_unavailable")
            }
            let found = try await Self.search(query, backend: backend)
            let results = found.results.prefix(count).map { ["title": $0.title, "url": $0.url, "description": $0.description] }
            return try Self.json(["results": Array(results), "related_queries": found.related, "count": results.count])
        }
    }

    /// A search backend's answer.
    struct SearchAnswer {
        struct Result {
            var title: String
            var url: String
            var description: String
        }
        var results: [Result]
        var related: [String]
    }

    static func search(_ query: String, backend: String) async throws(AnuraError) -> SearchAnswer {
        var allowed = CharacterSet.urlQueryAllowed
        allowed.remove(charactersIn: "&=+?#")
        let encoded = query.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
        let base = backend.hasSuffix("/") ? String(backend.dropLast()) : backend
        var request = HTTPClientRequest(url: "\(base)/search?q=\(encoded)&format=json")
        request.method = .GET
        let data: Data
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(15))
            let buffer = try await response.body.collect(upTo: 4 << 20)
            guard response.status == .ok else { throw AnuraError.server("the search backend answered HTTP \(response.status.code)") }
            data = Data(buffer: buffer)
        } catch let error as AnuraError {
            throw error
        } catch {
            throw .server("the search backend \(base) is unreachable: \(error)")
        }
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw .server("the search backend's answer is not JSON")
        }
        let results = (object["results"] as? [[String: Any]] ?? []).compactMap { item -> SearchAnswer.Result? in
            guard let url = item["url"] as? String else { return nil }
            return SearchAnswer.Result(title: item["title"] as? String ?? "", url: url, description: item["content"] as? String ?? "")
        }
        return SearchAnswer(results: results, related: object["suggestions"] as? [String] ?? [])
    }
}
