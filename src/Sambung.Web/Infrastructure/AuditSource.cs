using Marten;
using Marten.Services;
using Sambung.Projections.Audit;

namespace Sambung.Web.Infrastructure;

// Stamps every event with where the change came from (the client's address), for the audit trail. Work the
// server does on its own (a reply ending, the Trash being emptied) has no request and is marked "system".
public sealed class AuditSource(IHttpContextAccessor http) : DocumentSessionListenerBase
{
    public override Task BeforeSaveChangesAsync(IDocumentSession session, CancellationToken token)
    {
        var address = http.HttpContext?.Connection.RemoteIpAddress;
        session.SetHeader(AuditProjection.SourceHeader, address is null ? Sambung.Events.EventFacts.System : address.ToString());
        return Task.CompletedTask;
    }
}
