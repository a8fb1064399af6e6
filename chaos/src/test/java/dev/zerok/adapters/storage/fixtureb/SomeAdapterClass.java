package dev.zerok.adapters.storage.fixtureb;

/** Deliberately bad: an adapter class using Dagger outside the applications (rule fixture). */
@dagger.Component
public interface SomeAdapterClass {}
