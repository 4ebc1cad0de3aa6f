namespace Sambung.Web;

// Marker for the shared resource files Resources/SharedResource(.id).resx: every string a user sees.
public sealed class SharedResource;
