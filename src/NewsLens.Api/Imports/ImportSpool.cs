namespace NewsLens.Api.Imports;

/// <summary>Writes and reads one row type of an import spool.</summary>
public interface IRowCodec<T>
{
    void Write(BinaryWriter writer, T row);

    T Read(BinaryReader reader);
}

/// <summary>
/// The checked rows of an import, held until the whole body has arrived and been checked, so that the import
/// takes the write turn only to write. The first window stays in memory; a larger import goes to a temporary
/// file (deleted when the spool is disposed, or by the system when the process dies), so memory holds one
/// window whatever the size of the body. Read back as windows, as often as needed.
/// </summary>
public sealed class ImportSpool<T>(IRowCodec<T> codec, int windowRows, string? directory) : IDisposable
{
    private readonly List<T> memory = [];
    private FileStream? file;
    private BinaryWriter? writer;

    public long Count { get; private set; }

    /// <summary>Whether the rows went to a file (the import was larger than one window).</summary>
    public bool Spilled => file is not null;

    public void Add(T row)
    {
        if (file is null && memory.Count < windowRows)
        {
            memory.Add(row);
        }
        else
        {
            if (writer is null)
            {
                Spill();
            }

            codec.Write(writer!, row);
        }

        Count++;
    }

    /// <summary>The rows in order, <c>windowRows</c> at a time; each list is reused for the next window.</summary>
    public IEnumerable<List<T>> Windows()
    {
        if (file is null)
        {
            if (memory.Count > 0)
            {
                yield return memory;
            }

            yield break;
        }

        writer!.Flush();
        file.Position = 0;
        using var reader = new BinaryReader(new BufferedStream(file, 1 << 16), System.Text.Encoding.UTF8, leaveOpen: true);
        var window = new List<T>(windowRows);
        for (long read = 0; read < Count;)
        {
            window.Clear();
            while (window.Count < windowRows && read < Count)
            {
                window.Add(codec.Read(reader));
                read++;
            }

            yield return window;
        }
    }

    private void Spill()
    {
        var folder = string.IsNullOrEmpty(directory) ? Path.GetTempPath() : directory;
        Directory.CreateDirectory(folder);
        file = new FileStream(Path.Combine(folder, $"newslens-import-{Guid.NewGuid():N}.spool"), FileMode.CreateNew, FileAccess.ReadWrite,
            FileShare.None, bufferSize: 1, FileOptions.DeleteOnClose);
        writer = new BinaryWriter(new BufferedStream(file, 1 << 16), System.Text.Encoding.UTF8, leaveOpen: true);
        foreach (var row in memory)
        {
            codec.Write(writer, row);
        }

        memory.Clear();
        memory.Capacity = 0;
    }

    public void Dispose()
    {
        writer?.Dispose();
        file?.Dispose();
    }
}
