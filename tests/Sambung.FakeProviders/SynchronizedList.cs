using System.Collections;

namespace Sambung.FakeProviders;

/// <summary>A small lock-protected list; enumeration works on a snapshot so it is safe while others mutate it.</summary>
internal sealed class SynchronizedList<T> : IList<T>
{
    private readonly List<T> _items;
    private readonly Lock _gate = new();

    public SynchronizedList(IEnumerable<T> items) => _items = [.. items];

    public T this[int index]
    {
        get { lock (_gate) { return _items[index]; } }
        set { lock (_gate) { _items[index] = value; } }
    }

    public int Count { get { lock (_gate) { return _items.Count; } } }

    public bool IsReadOnly => false;

    public void Add(T item) { lock (_gate) { _items.Add(item); } }

    public void Clear() { lock (_gate) { _items.Clear(); } }

    public bool Contains(T item) { lock (_gate) { return _items.Contains(item); } }

    public void CopyTo(T[] array, int arrayIndex) { lock (_gate) { _items.CopyTo(array, arrayIndex); } }

    public int IndexOf(T item) { lock (_gate) { return _items.IndexOf(item); } }

    public void Insert(int index, T item) { lock (_gate) { _items.Insert(index, item); } }

    public bool Remove(T item) { lock (_gate) { return _items.Remove(item); } }

    public void RemoveAt(int index) { lock (_gate) { _items.RemoveAt(index); } }

    public T[] Snapshot() { lock (_gate) { return [.. _items]; } }

    public void ReplaceAll(IEnumerable<T> items)
    {
        lock (_gate)
        {
            _items.Clear();
            _items.AddRange(items);
        }
    }

    public IEnumerator<T> GetEnumerator() => ((IEnumerable<T>)Snapshot()).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
