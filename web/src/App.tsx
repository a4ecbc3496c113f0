import { BrowserRouter, Route, Routes } from 'react-router-dom';
import { AuthProvider } from './auth/AuthProvider';
import { Layout, RequireAuth } from './components/Layout';
import { I18nProvider } from './i18n/I18nProvider';
import { InvitePage } from './pages/InvitePage';
import { LoginPage } from './pages/LoginPage';
import { NotFoundPage } from './pages/NotFoundPage';
import { PlanPage } from './pages/PlanPage';
import { PlansPage } from './pages/PlansPage';
import { ResetPage, ResetRequestPage } from './pages/ResetPage';
import { SignupPage } from './pages/SignupPage';

export function AppRoutes() {
  return (
    <Routes>
      <Route element={<Layout />}>
        <Route path="/login" element={<LoginPage />} />
        <Route path="/signup" element={<SignupPage />} />
        <Route path="/invite/:token" element={<InvitePage />} />
        <Route path="/reset" element={<ResetRequestPage />} />
        <Route path="/reset/:token" element={<ResetPage />} />
        <Route element={<RequireAuth />}>
          <Route path="/" element={<PlansPage />} />
          <Route path="/plans/:planId" element={<PlanPage />} />
        </Route>
        <Route path="*" element={<NotFoundPage />} />
      </Route>
    </Routes>
  );
}

export function App() {
  return (
    <I18nProvider>
      <AuthProvider>
        <BrowserRouter>
          <AppRoutes />
        </BrowserRouter>
      </AuthProvider>
    </I18nProvider>
  );
}
