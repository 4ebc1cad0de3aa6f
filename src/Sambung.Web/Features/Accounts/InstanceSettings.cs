using Marten;

namespace Sambung.Web.Features.Accounts;

public enum RegistrationMode { Open, Approval, Closed }

// Instance-wide settings an admin can change; one document.
public sealed class InstanceSettings
{
    public const string DocumentId = "instance";

    public string Id { get; set; } = DocumentId;
    public RegistrationMode Registration { get; set; } = RegistrationMode.Open;
    public bool LocalSignInEnabled { get; set; } = true;

    public static async Task<InstanceSettings> LoadAsync(IQuerySession session, CancellationToken ct) =>
        await session.LoadAsync<InstanceSettings>(DocumentId, ct) ?? new InstanceSettings();
}
