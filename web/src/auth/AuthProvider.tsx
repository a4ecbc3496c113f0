import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { ApiError, onUnauthorized } from '../api/client';
import { auth, getConfig } from '../api/endpoints';
import type { AppConfig, User } from '../api/types';
import { clearOfflineData } from '../collab/offline';

interface AuthValue {
  /** undefined while the first /me call is in flight; null when signed out. */
  user: User | null | undefined;
  config: AppConfig;
  configLoaded: boolean;
  /** Set when the server could not be asked who we are (not when we are simply signed out). */
  error: unknown;
  refresh: () => Promise<User | null>;
  setUser: (user: User | null) => void;
  logout: () => Promise<void>;
}

const DEFAULT_CONFIG: AppConfig = { allow_signup: false, smtp_enabled: false };

const AuthContext = createContext<AuthValue | null>(null);

async function fetchMe(): Promise<User | null> {
  try {
    return await auth.me();
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return null;
    throw err;
  }
}

export function AuthProvider({ children }: { children: ReactNode }) {
  const [user, setUser] = useState<User | null | undefined>(undefined);
  const [config, setConfig] = useState<AppConfig>(DEFAULT_CONFIG);
  const [configLoaded, setConfigLoaded] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const refresh = useCallback(async () => {
    try {
      const me = await fetchMe();
      setUser(me);
      setError(null);
      return me;
    } catch (err) {
      setUser(null);
      setError(err);
      return null;
    }
  }, []);

  useEffect(() => {
    void refresh();
    getConfig()
      .then(setConfig, () => setConfig(DEFAULT_CONFIG))
      .finally(() => setConfigLoaded(true));
  }, [refresh]);

  // A session that expires mid-visit shows the sign-in page instead of a wall of errors.
  useEffect(() => onUnauthorized(() => setUser(null)), []);

  const logout = useCallback(async () => {
    const leaving = user;
    try {
      await auth.logout();
    } finally {
      setUser(null);
      // The section copies kept for offline edits belong to this account: not to the next one
      // who signs in on this browser.
      if (leaving) void clearOfflineData(String(leaving.id)).catch(() => undefined);
    }
  }, [user]);

  const value = useMemo<AuthValue>(
    () => ({ user, config, configLoaded, error, refresh, setUser, logout }),
    [user, config, configLoaded, error, refresh, logout],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthValue {
  const value = useContext(AuthContext);
  if (!value) throw new Error('useAuth must be used inside <AuthProvider>');
  return value;
}
