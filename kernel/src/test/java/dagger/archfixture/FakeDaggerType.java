package dagger.archfixture;

/**
 * Stands in for a class of the real library in the architecture-rule fixtures, so proving the
 * rule does not put the library on the kernel's class path.
 */
public final class FakeDaggerType {}
