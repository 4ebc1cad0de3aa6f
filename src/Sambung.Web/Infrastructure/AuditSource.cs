using Marten;
using Sambung.Events;
using Sambung.Projections.Audit;

namespace Sambung.Web.Infrastructure;

// Stamps the events a session appends with where the change came from (the client's address), for the audit
// trail. Work the server does on its own (a reply ending, the Trash being emptied) has no request: "system".
// Marten copies a session's headers onto events as they are appended, so this runs before each append.
public sealed class AuditSource(IHttpContextAccessor http)
{
    public void Stamp(IDocumentSession session)
    {
        var address = http.HttpContext?.Connection.RemoteIpAddress;
        session.SetHeader(AuditProjection.SourceHeader, address?.ToString() ?? EventFacts.System);
    }
}
